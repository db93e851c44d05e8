"""The reader's comment form, and the rule for the token of every form on a reader's page."""

from typing import TypeVar

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import DataRequired, Length

from blog.core.forms import comment_text, email_field, one_line
from blog.core.inputs import parse_id

NAME_MAX = 80
Form = TypeVar("Form", bound=FlaskForm)


def reader_form(form_class: type[Form], **kwargs) -> Form:
    """A form of a reader's page (comment, like). That page is the same for every reader,
    so caches can share it: it carries no session token, and no reader gets a session
    cookie. Another site's post is refused by its Origin before any of this
    (blog.core.inputs), and the start time, the honeypot and the rate limits do the rest.
    The signed-in author's page carries her session's token, checked as everywhere else."""
    if not current_user.is_authenticated:
        kwargs["meta"] = {"csrf": False}
    return form_class(**kwargs)


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
    email = email_field("Email (optional)", autocomplete="email")
    notify_replies = BooleanField("Email me when the author replies")
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


class SubscribeForm(FlaskForm):
    """Email subscription from a post or the home page; the comment form's defences."""

    email = email_field(
        "Your email address", "Please enter your email address.", autocomplete="email"
    )
    # The post subscribed from (empty on the home page), signed into ``started``.
    post_id = HiddenField()
    website = StringField(
        "Leave this field empty",
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    started = HiddenField()

    def source_post_id(self) -> int:
        return parse_id(self.post_id.data) or 0
