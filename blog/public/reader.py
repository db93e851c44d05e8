"""The reader's browser token: a random cookie that lets a browser recognise its own
pending comments and likes. Only a keyed hash of it is stored; the cookie is set only
when the reader comments or likes, never on a plain read."""

import secrets

from flask import Response, g, request

from blog.core import keys

COOKIE = "rounds_reader"
MAX_AGE = 60 * 60 * 24 * 365


def _token() -> str | None:
    token = request.cookies.get(COOKIE, "")
    return token if 20 <= len(token) <= 100 else None


def own_hashes() -> list[str]:
    """The hashes this browser's token may be stored under (none without a token)."""
    token = _token()
    return keys.keyed_hashes(keys.READER_BROWSER, token) if token else []


def ensure_hashes() -> list[str]:
    """``own_hashes``, creating a token (set by ``remember``) if the browser has none."""
    token = _token()
    if token is None:
        if "new_reader_token" not in g:
            g.new_reader_token = secrets.token_urlsafe(32)
        token = g.new_reader_token
    return keys.keyed_hashes(keys.READER_BROWSER, token)


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
