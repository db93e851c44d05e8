"""The one form with nothing but the CSRF token, for one-button actions; shared fields
and filters."""

from flask_wtf import FlaskForm
from wtforms import EmailField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

COMMENT_MAX = 5000


class ActionForm(FlaskForm):
    """Delete, restore, publish, sign out, like...: only the CSRF token."""


def strip(value):
    """A field filter: surrounding whitespace removed."""
    return value.strip() if isinstance(value, str) else value


def lower(value):
    """A field filter: lower case (email addresses)."""
    return value.lower() if isinstance(value, str) else value


def one_line(value):
    """A field filter for names: control characters (CR, LF, tabs…) become spaces, so a
    name can never add lines to a mail or a log."""
    if not isinstance(value, str):
        return value
    return " ".join("".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in value).split())


def comment_text(label: str, required: str, rows: int) -> TextAreaField:
    """A comment's text field (a reader's comment, the author's reply): trimmed, required,
    at most COMMENT_MAX characters."""
    too_long = f"Comments can be up to {COMMENT_MAX:,} characters; please shorten it."
    return TextAreaField(
        label,
        filters=[strip],
        validators=[DataRequired(required), Length(max=COMMENT_MAX, message=too_long)],
        render_kw={"rows": rows},
    )


def email_field(label: str, required: str | None = None, **render_kw) -> EmailField:
    """An email address field: trimmed, lower-cased, checked; ``required`` is the message
    when it is left empty (None: optional)."""
    presence = DataRequired(required) if required else Optional()
    return EmailField(
        label,
        filters=[strip, lower],
        validators=[
            presence,
            Email("That doesn't look like an email address."),
            Length(max=254, message="That email address is too long."),
        ],
        render_kw=render_kw or None,
    )
