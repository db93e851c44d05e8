"""The reader's comment form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from blog.core.forms import comment_text, lower, one_line, strip
from blog.core.inputs import parse_id

NAME_MAX = 80


class CommentForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[one_line],
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
    body = comment_text("Comment", "Please write your comment.", rows=6)
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
