"""The request class: NUL characters never reach a view, a form or the database."""

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values with NUL removed. A NUL is never meaningful text, SQLite
    stores it silently, PostgreSQL refuses it with an error, and XML cannot carry it."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        items = MultiDict(mapping).items(multi=True)
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in items])


class BlogRequest(Request):
    parameter_storage_class = NulFreeMultiDict
