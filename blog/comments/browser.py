"""The reader's browser token: a random cookie that lets a browser recognise its own
pending comments and likes. Only a keyed hash of it is stored; the cookie is set only
when the reader comments or likes, never on a plain read."""

import hashlib
import hmac
import secrets

from flask import Response, current_app, g, request

COOKIE = "rounds_reader"
MAX_AGE = 60 * 60 * 24 * 365


def _hash(token: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"reader-browser:" + token.encode(), hashlib.sha256).hexdigest()


def current_hash() -> str | None:
    """The hash of this browser's token, or None when it has none (reads never create one)."""
    token = request.cookies.get(COOKIE, "")
    if not 20 <= len(token) <= 100:
        return None
    return _hash(token)


def ensure_hash() -> str:
    """The hash of this browser's token, creating a token (set by ``remember``) if needed."""
    existing = current_hash()
    if existing is not None:
        return existing
    if "new_reader_token" not in g:
        g.new_reader_token = secrets.token_urlsafe(32)
    return _hash(g.new_reader_token)


def remember(response: Response) -> Response:
    """Set the cookie on the response when this request created a token."""
    token = g.pop("new_reader_token", None)
    if token:
        response.set_cookie(
            COOKIE,
            token,
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response
