"""The reader's browser token: a random cookie, signed by the site, that lets a browser
recognise its own pending comments and likes, and counts its views once a day.

Only keyed hashes of the token are stored. The cookie is set when the reader comments or
presses Like, never on a plain read. A value the site did not sign is ignored as if there
were none, so a script can't make up a new "browser" for every like.
"""

import ipaddress
import secrets
from datetime import date

from flask import Response, g, request

from blog.core import keys

COOKIE = "rounds_reader"
MAX_AGE = 60 * 60 * 24 * 365
SIGNATURE_LENGTH = 32  # hex digits of the site's HMAC over the token


def _signed(token: str) -> str:
    return f"{token}.{keys.keyed_hash(keys.READER_COOKIE, token, SIGNATURE_LENGTH)}"


def _token() -> str | None:
    """This browser's token, when its cookie carries the site's signature (any accepted key)."""
    token, dot, signature = request.cookies.get(COOKIE, "").partition(".")
    if not dot or not 20 <= len(token) <= 100:
        return None
    expected = keys.keyed_hashes(keys.READER_COOKIE, token, SIGNATURE_LENGTH)
    return token if keys.matches_any(signature, expected) else None


def has_token() -> bool:
    """Whether this browser holds a cookie the site issued (its pages may be its own)."""
    return _token() is not None


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
            _signed(token),
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


def _network() -> str:
    """The reader's address, an IPv6 address as its /64 (one household or phone)."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def view_hash(slug: str, day: date) -> str:
    """Who a view of the post ``slug`` on ``day`` is from, so each reader counts once a
    day: a keyed hash of the post and the browser token or, without one, the address.
    The key changes every day, so the hashes of two days never match, and because the post
    is hashed in, one reader's hashes for two posts don't match either."""
    token = _token()
    who = f"browser {token}" if token else f"address {_network()}"
    return keys.keyed_hash(f"{keys.READER_VIEW}:{day.isoformat()}", f"{slug}\n{who}")
