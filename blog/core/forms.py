"""The one form with nothing but the CSRF token, for one-button actions."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """Delete, restore, publish, sign out, like...: only the CSRF token."""


def strip(value):
    """A field filter: surrounding whitespace removed."""
    return value.strip() if isinstance(value, str) else value


def lower(value):
    """A field filter: lower case (email addresses)."""
    return value.lower() if isinstance(value, str) else value
