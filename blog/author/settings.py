"""The settings page: the site, the author's profile, the comment policy, and mail."""

from zoneinfo import available_timezones

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import Field, StringField

from blog.author import bp
from blog.author.forms import SettingsForm
from blog.author.guard import keeps_text
from blog.content import render_page
from blog.core.inputs import sized_for
from blog.core.site import site_settings
from blog.extensions import db
from blog.models import Author, Settings

SITE_FIELDS = (
    "site_title", "tagline", "timezone", "about_md", "disclaimer", "moderation",
    "close_comments_after_days", "comments_enabled", "show_views", "show_likes",
    "blocklist", "same_as", "review_after_months",
    "mail_sender_name", "mail_sender_address", "mail_full_text",
)  # fmt: skip
AUTHOR_FIELDS = ("name", "credentials", "job_title", "bio_md")


def settings_data(settings: Settings, author: Author) -> dict:
    data = {name: getattr(settings, name) for name in SITE_FIELDS}
    data.update({name: getattr(author, name) for name in AUTHOR_FIELDS})
    return data


def field_value(field: Field):
    """A text field's trimmed text ("" when the request left it out); other fields' data."""
    if isinstance(field, StringField):
        return (field.data or "").strip()
    return field.data


def save_settings(form: SettingsForm, settings: Settings, author: Author) -> None:
    """Copy the form onto the settings row and the author, rendering their Markdown."""
    for name in SITE_FIELDS:
        setattr(settings, name, field_value(getattr(form, name)))
    for name in AUTHOR_FIELDS:
        setattr(author, name, field_value(getattr(form, name)))
    settings.about_html = render_page(settings.about_md)
    author.bio_html = render_page(author.bio_md)
    db.session.add(settings)


def render_settings(form: SettingsForm, status: int = 200, problem: str | None = None):
    page = render_template(
        "author/settings.html", form=form, problem=problem, timezones=sorted(available_timezones())
    )
    return page, status


@keeps_text("author.settings")
def settings_with_submitted_text(status: int, problem: str):
    return render_settings(SettingsForm(meta={"csrf": False}), status, problem)


@bp.route("/settings", methods=["GET", "POST"])
@sized_for("editor")
def settings():
    if request.method == "GET":
        return render_settings(SettingsForm(data=settings_data(site_settings(), current_user)))
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_settings(form, 400, "Nothing was saved. Correct the fields marked below.")
    save_settings(form, Settings.current(), current_user._get_current_object())
    db.session.commit()
    flash("Settings saved.", "success")
    return redirect(url_for("author.settings"), 303)
