"""What a client may send: URL parts and form text that the database can always hold.

PostgreSQL text cannot contain NUL characters and its ids are 32-bit INTEGERs; a request
that would break either is answered like any other bad input (404, 415 or a form error),
never with a database error. A NUL in the path is a 404 (create_app checks it).
"""

import flask
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter

from blog.database import MAX_ID


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


def install(app: flask.Flask) -> None:
    """Use these before any route is registered."""
    app.request_class = Request
    app.url_map.converters["int"] = DatabaseInteger
