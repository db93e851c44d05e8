"""Forms: the reader's comment form, the like button, and the moderator's actions."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from blog.database import parse_id, row_id

NAME_MAX = 80
BODY_MAX = 5000


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower(value):
    return value.lower() if isinstance(value, str) else value


class CommentForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[strip],
        validators=[
            DataRequired("Please enter your name."),
            Length(max=NAME_MAX, message=f"Names can be up to {NAME_MAX} characters."),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        "Email (optional)",
        filters=[strip, lower],
        validators=[
            Optional(),
            Email("That doesn't look like an email address."),
            Length(max=254, message="That email address is too long."),
        ],
        render_kw={"autocomplete": "email"},
    )
    body = TextAreaField(
        "Comment",
        filters=[strip],
        validators=[
            DataRequired("Please write your comment."),
            Length(
                max=BODY_MAX,
                message=f"Comments can be up to {BODY_MAX:,} characters; please shorten it.",
            ),
        ],
        render_kw={"rows": 6},
    )
    parent_id = HiddenField()
    # Honeypot: hidden from people, left empty by them; bots fill it in.
    website = StringField(
        "Leave this field empty",
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    # When the form was served, signed (spam.form_token): too fast or too old is refused.
    started = HiddenField()

    def parent_comment_id(self) -> int | None:
        raw = (self.parent_id.data or "").strip()
        if not raw:
            return None
        return parse_id(raw) or -1


class ActionForm(FlaskForm):
    """One-button moderation actions: only the CSRF token."""

    tab = HiddenField()


class BulkForm(FlaskForm):
    tab = HiddenField()
    ids = SelectMultipleField(coerce=row_id, validate_choice=False)
    action = SelectField(
        "With the selected comments",
        choices=[
            SelectChoice("approve", "Approve"),
            SelectChoice("spam", "Mark as spam"),
            SelectChoice("delete", "Delete"),
        ],
        validators=[InputRequired()],
    )


class ReplyForm(FlaskForm):
    tab = HiddenField()
    body = TextAreaField(
        "Your reply",
        filters=[strip],
        validators=[
            DataRequired("Please write your reply."),
            Length(max=BODY_MAX, message=f"Replies can be up to {BODY_MAX:,} characters."),
        ],
        render_kw={"rows": 4},
    )


class EraseForm(FlaskForm):
    tab = HiddenField()
    email = EmailField(
        "Email address",
        filters=[strip, lower],
        validators=[
            DataRequired("Enter the email address to erase."),
            Email("That doesn't look like an email address."),
        ],
    )


class LikeForm(FlaskForm):
    """The like button: only the CSRF token."""
