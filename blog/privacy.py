"""Reader privacy: client IPs are only ever kept as salted, rotating hashes."""

import hashlib
import hmac
from datetime import UTC, datetime

from flask import current_app, request


def _salt(day: str) -> bytes:
    """A salt derived from the secret key and the date, so hashes stop matching over time."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"reader-ip:" + day.encode(), hashlib.sha256).digest()


def ip_hash(ip: str | None = None, *, day: str | None = None) -> str:
    """A salted hash of the reader's IP address; the raw address is never stored."""
    ip = ip if ip is not None else (request.remote_addr or "unknown")
    day = day or datetime.now(UTC).strftime("%Y-%m")
    return hmac.new(_salt(day), ip.encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """Rate-limit key: the hashed client address (kept in the limiter's memory only)."""
    return ip_hash()
