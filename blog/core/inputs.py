"""What a client may send, and what it wants back.

URL parts and form text are kept to what the database can always hold:
PostgreSQL text cannot contain NUL characters and its ids are 32-bit INTEGERs; a request
that would break either is answered like any other bad input (404, 415 or a form error),
never with a database error. A NUL in the path is a 404 (create_app checks it).
"""

from urllib.parse import urlsplit

import flask
from flask import current_app, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import Forbidden
from werkzeug.routing import IntegerConverter

from blog.core.database import MAX_ID, SAFE_METHODS


def parse_id(raw: str | None) -> int | None:
    """A row id sent by a client, or None when the text cannot be one."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(MAX_ID)):
        return None
    number = int(raw)
    return number if 0 < number <= MAX_ID else None


def row_id(value) -> int:
    """A form field coercion: a row id, or ValueError (the field reports an invalid choice)."""
    number = parse_id(str(value))
    if number is None:
        raise ValueError("Not a row id.")
    return number


def wants_json() -> bool:
    """Whether the client is a script that asked for JSON (the editor, the uploader),
    rather than a browser submitting a form: the one rule every response choice uses."""
    if request.is_json or request.headers.get("X-Requested-With") == "fetch":
        return True
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


def safe_next(value: str | None) -> str | None:
    """``value`` if it is a path on this site, else None (no open redirects)."""
    value = value or ""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed IPv6 bracket: not a path on this site either
        return None
    local = (
        value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and not (parts.scheme or parts.netloc)
        and not any(ord(ch) < 32 for ch in value)
    )
    return value if local else None


class DatabaseInteger(IntegerConverter):
    """`<int:...>` no larger than a database id: a longer number is 404, not 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL removed. A NUL is never meaningful text, SQLite
    stores it silently, PostgreSQL refuses it with an error, and XML cannot carry it."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        items = MultiDict(mapping).items(multi=True)
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in items])


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class Request(flask.Request):
    """Query and form values without NUL characters. JSON bodies are refused before any
    view runs (see create_app), so only these reach forms and the database."""

    parameter_storage_class = NulFreeMultiDict


class CrossSiteRequest(Forbidden):
    """A write sent by another site's page: refused before any session or form work."""

    description = "This was sent from another website, so it was refused. Nothing was changed."


def own_origins() -> set[str]:
    """The origins this site's own pages have: the request's, and SITE_URL's."""
    origins = {request.host_url.rstrip("/")}
    site = urlsplit(current_app.config.get("SITE_URL") or "")
    if site.scheme and site.netloc:
        origins.add(f"{site.scheme}://{site.netloc}")
    return origins


def is_cross_site() -> bool:
    """Whether the browser says another site's page sent this request. Browsers send
    Sec-Fetch-Site (or at least Origin) with every form post and fetch; a client that
    sends neither is no browser page, and the CSRF token still guards it."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and origin not in own_origins()


def cross_site_allowed(view):
    """Mark a view that takes POSTs from anywhere: one that is harmless whoever sends it
    and is reached from outside a page of the site (a mail client's one-click unsubscribe)."""
    view.cross_site_allowed = True
    return view


def refuse_cross_site_writes() -> None:
    if request.method not in SAFE_METHODS and is_cross_site():
        view = current_app.view_functions.get(request.endpoint or "")
        if not getattr(view, "cross_site_allowed", False):
            raise CrossSiteRequest()


def sized_for(kind: str):
    """Mark a view that takes more than a form's worth of text: "editor" (a post's
    Markdown, MAX_POST_KB however the browser encodes it), "upload" (MAX_UPLOAD_MB) or
    "import" (an export file, IMPORT_MAX_MB)."""

    def mark(view):
        view.request_kind = kind
        return view

    return mark


def size_text(size: float) -> str:
    """A size for people: "200 MB", "2.1 GB", "51.2 kB"."""
    for unit, bytes_ in (("GB", 1024**3), ("MB", 1024**2), ("kB", 1024)):
        if size >= bytes_:
            return f"{size / bytes_:.1f}".removesuffix(".0") + f" {unit}"
    return f"{int(size)} bytes"


def request_limit(kind: str | None) -> int:
    config = current_app.config
    if kind == "upload":
        return config["MAX_CONTENT_LENGTH"]
    if kind == "import":  # an export file for the Import page, and a few short fields
        return int(float(config["IMPORT_MAX_MB"]) * 1024 * 1024) + 4096
    if kind == "editor":  # percent-encoding takes up to 12 bytes for a character
        return int(config["MAX_POST_KB"]) * 1024 * 12 + int(config["FORM_MAX_KB"]) * 1024
    return int(config["FORM_MAX_KB"]) * 1024


def cap_request_size() -> None:
    """Refuse an oversized body (413) before anyone reads it, by the view it is for."""
    view = current_app.view_functions.get(request.endpoint or "")
    limit = request_limit(getattr(view, "request_kind", None))
    request.max_content_length = request.max_form_memory_size = limit


def install(app: flask.Flask) -> None:
    """Use these before any route is registered (and before the extensions, so that a
    cross-site write is refused before any session, sign-in or form work)."""
    app.request_class = Request
    app.url_map.converters["int"] = DatabaseInteger
    app.before_request(refuse_cross_site_writes)
    app.before_request(cap_request_size)
