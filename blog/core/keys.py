"""Keyed hashes and signatures over SECRET_KEY, each for a named purpose.

A purpose keeps one use's hashes from ever matching another's. SECRET_KEY_FALLBACKS
(Flask's list of retired keys) is honoured everywhere: new hashes and signatures use the
current key, while lookups and checks also accept what a retired key made, so rotating
the key neither signs the author out of setup nor forgets readers' own comments.
"""

import hashlib
import hmac
import ipaddress
import time
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

# Purposes: each use of the secret key names its own.
READER_IP = "reader-ip"
READER_BROWSER = "reader-browser"
READER_COOKIE = "reader-cookie"  # the site's signature on a reader's browser token
READER_VIEW = "reader-view"  # who viewed a post on a day, to count each reader once
FIRST_RUN_SETUP = "rounds:first-run-setup"
COMMENT_FORM = "rounds.comment-form"
SUBSCRIBE_FORM = "rounds.subscribe-form"
SUBSCRIBE_CONFIRM = "rounds.subscribe-confirm"
UNSUBSCRIBE = "rounds.unsubscribe"
MAIL_MESSAGE_ID = "rounds.mail-message-id"
SIGN_IN_LIMIT = "rounds.sign-in-limit"
SIGN_IN_DEVICE = "rounds.sign-in-device"
TWO_STEP_ENROLMENT = "rounds.two-step-enrolment"


def secret_keys() -> list[bytes]:
    """The current key first, then the retired ones still accepted."""
    config = current_app.config
    keys = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return [str(key).encode() for key in keys if key]


def _digest(key: bytes, purpose: str, value: str) -> bytes:
    return hmac.new(key, purpose.encode() + b":" + value.encode(), hashlib.sha256).digest()


def keyed_hash(purpose: str, value: str, length: int = 64) -> str:
    """The hex HMAC of ``value`` for ``purpose`` under the current key."""
    return _digest(secret_keys()[0], purpose, value).hex()[:length]


def keyed_hashes(purpose: str, value: str, length: int = 64) -> list[str]:
    """``keyed_hash`` under every accepted key: what a stored hash may be (lookups)."""
    return [_digest(key, purpose, value).hex()[:length] for key in secret_keys()]


def keyed_digests(purpose: str, value: str = "") -> list[bytes]:
    """Raw digests under every accepted key, current first (tokens made from the key)."""
    return [_digest(key, purpose, value) for key in secret_keys()]


def matches_any(given: str, expected: list[str]) -> bool:
    """Constant-time comparison against each accepted value."""
    found = False
    for candidate in expected:
        found |= hmac.compare_digest(given.encode(), candidate.encode())
    return found


class MinuteSigner(TimestampSigner):
    """Signs with the time rounded down to the minute: what it signs in one minute is the
    same for everyone, so a page carrying it can be shared by caches."""

    def get_timestamp(self) -> int:
        return int(time.time()) // 60 * 60


def serializer(purpose: str, *, per_minute: bool = False) -> URLSafeTimedSerializer:
    """Signs with the current key; verifies with it and the retired ones. ``per_minute``
    stamps the time to the minute (MinuteSigner) instead of the second."""
    signer = MinuteSigner if per_minute else TimestampSigner
    return URLSafeTimedSerializer(list(reversed(secret_keys())), salt=purpose, signer=signer)


def ip_hash(ip: str | None = None, *, month: str | None = None) -> str:
    """A salted, monthly-changing hash of a reader's IP address; the raw address is never
    stored, and after the month's end a hash no longer matches the address that made it."""
    if ip is None:
        ip = (request.remote_addr if has_request_context() else None) or "unknown"
    month = month or datetime.now(UTC).strftime("%Y-%m")
    return keyed_hash(f"{READER_IP}:{month}", ip, length=32)


def network_of(address: str | None) -> str:
    """The network a client is counted under: an IPv4 address itself, an IPv6 address its
    /64 (one host's usual allocation: rotating through it gains nothing)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is an IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_key() -> str:
    """Rate-limit key: the hashed client network (kept in the limiter's storage only)."""
    return ip_hash(network_of(request.remote_addr))
