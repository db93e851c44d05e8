"""What a client may send: URL parts and form text that the database can always hold.

PostgreSQL text cannot contain NUL characters and its ids are 32-bit INTEGERs; a request
that would break either is answered like any other bad input (404 or a form error),
never with a database error.
"""

import flask
from werkzeug.routing import IntegerConverter, UnicodeConverter

from blog.database import MAX_ID


class DatabaseInteger(IntegerConverter):
    """`<int:...>` no larger than a database id: a longer number is 404, not 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)


class PathText(UnicodeConverter):
    """`<name>` (the default converter) without NUL: a slug with one is 404."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def without_nul(value):
    """The value with NUL characters removed from every string in it."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(item) for item in value]
    if isinstance(value, dict):
        return {without_nul(key): without_nul(item) for key, item in value.items()}
    return value


class Request(flask.Request):
    """Form and JSON values without NUL characters (no one types them; PostgreSQL refuses
    them). Flask-WTF reads a JSON body as form data, so both are cleaned."""

    def get_json(self, *args, **kwargs):
        return without_nul(super().get_json(*args, **kwargs))

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        form = self.__dict__["form"]
        if any("\x00" in value for values in form.listvalues() for value in values):
            self.__dict__["form"] = self.parameter_storage_class(
                [(key, without_nul(value)) for key, value in form.items(multi=True)]
            )


def install(app: flask.Flask) -> None:
    """Use these before any route is registered."""
    app.request_class = Request
    app.url_map.converters.update(int=DatabaseInteger, default=PathText, string=PathText)
