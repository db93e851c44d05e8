"""The settings page: the site, the author's profile and pictures, the menu, the
comment policy, and mail."""

from zoneinfo import available_timezones

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import Field, StringField

from blog.author import bp
from blog.author.forms import PictureForm, SettingsForm
from blog.author.guard import keeps_text
from blog.content import render_page
from blog.core.forms import ActionForm
from blog.core.inputs import sized_for
from blog.core.site import site_settings
from blog.extensions import db
from blog.models import Author, Settings
from blog.posts import images, pages

SITE_FIELDS = (
    "site_title", "tagline", "timezone", "about_md", "disclaimer", "moderation",
    "close_comments_after_days", "comments_enabled", "show_views", "show_likes",
    "blocklist", "same_as", "review_after_months", "title_with_logo",
    "mail_sender_name", "mail_sender_address", "mail_full_text",
)  # fmt: skip
AUTHOR_FIELDS = ("name", "credentials", "job_title", "short_bio", "bio_md")
# The pictures of the Settings page: what each is called there.
PICTURES = {"headshot": "Your photo", "logo": "Logo", "favicon": "Favicon"}
FILE_LABELS = {"headshot": "Photo file", "logo": "Logo file", "favicon": "Favicon file"}


def settings_data(settings: Settings, author: Author) -> dict:
    data = {name: getattr(settings, name) for name in SITE_FIELDS}
    data.update({name: getattr(author, name) for name in AUTHOR_FIELDS})
    data["menu"] = [
        {"key": item.key, "shown": item.shown, "position": number}
        for number, item in enumerate(pages.menu_choices(settings), start=1)
    ]
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
    if form.menu.entries:  # a form from before the menu keeps the menu as it is
        rows = [(row.key.data or "", row.shown.data, row.position.data or 99) for row in form.menu]
        pages.set_menu(settings, rows)
    db.session.add(settings)


def render_settings(
    form: SettingsForm, status: int = 200, problem: str | None = None, pictures=None
):
    choices = pages.menu_choices(site_settings())
    page = render_template(
        "author/settings.html",
        form=form,
        problem=problem,
        timezones=sorted(available_timezones()),
        menu_labels={item.key: item.label for item in choices},
        pictures=pictures or picture_forms(),
        picture_names=PICTURES,
        remove_form=ActionForm(formdata=None),
        max_upload_bytes=current_app.config["MAX_CONTENT_LENGTH"],
    )
    return page, status


def current_settings_form() -> SettingsForm:
    return SettingsForm(formdata=None, data=settings_data(site_settings(), current_user))


@keeps_text("author.settings")
def settings_with_submitted_text(status: int, problem: str):
    return render_settings(SettingsForm(meta={"csrf": False}), status, problem)


@bp.route("/settings", methods=["GET", "POST"])
@sized_for("editor")
def settings():
    if request.method == "GET":
        return render_settings(current_settings_form())
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_settings(form, 400, "Nothing was saved. Correct the fields marked below.")
    save_settings(form, Settings.current(), current_user._get_current_object())
    db.session.commit()
    flash("Settings saved.", "success")
    return redirect(url_for("author.settings"), 303)


# -- Pictures: the author's photo, the logo, the favicon ------------------------------------


def picture_forms(**given: PictureForm) -> dict[str, PictureForm]:
    """An upload form for each picture, each with its own prefix so the page's ids are
    unique, and its own label."""
    forms = {kind: given.get(kind) or PictureForm(formdata=None, prefix=kind) for kind in PICTURES}
    for kind, form in forms.items():
        form.file.label.text = FILE_LABELS[kind]
    return forms


def picture_refused(kind: str, form: PictureForm, status: int):
    return render_settings(
        current_settings_form(),
        status,
        f"{PICTURES[kind]} was not changed: see the message under it.",
        picture_forms(**{kind: form}),
    )


def picture_too_large():
    """An upload over MAX_UPLOAD_MB (answered before the form could be read)."""
    from blog.author.media import upload_limit_message

    kind = request.view_args.get("kind", "")
    if kind not in PICTURES:
        abort(404)
    form = PictureForm(formdata=None, prefix=kind)
    form.file.errors = [upload_limit_message()]
    return picture_refused(kind, form, 413)


def store_picture(kind: str, upload, settings: Settings, author: Author) -> None:
    """Decode and store an upload through the image pipeline as ``kind``."""
    config = current_app.config
    data, media_dir = upload.read(), config["MEDIA_DIR"]
    max_pixels = int(config["MAX_IMAGE_PIXELS"])
    if kind == "favicon":
        settings.favicon = images.store_icons(data, media_dir, max_pixels)
        db.session.add(settings)
        return
    alt = author.name if kind == "headshot" else settings.site_title
    media = images.store_upload(data, upload.filename or "", alt, media_dir, max_pixels)
    if kind == "headshot":
        author.headshot = media
    else:
        settings.logo = media
        db.session.add(settings)


@bp.post("/settings/pictures/<kind>")
@sized_for("upload")
def upload_picture(kind: str):
    if kind not in PICTURES:
        abort(404)
    form = PictureForm(prefix=kind)
    if not form.validate_on_submit():
        return picture_refused(kind, form, 400)
    try:
        store_picture(kind, form.file.data, Settings.current(), current_user._get_current_object())
    except images.ImageRejected as rejected:
        db.session.rollback()
        form.file.errors = [str(rejected)]
        return picture_refused(kind, form, 415)
    db.session.commit()
    flash(f"{PICTURES[kind]} saved.", "success")
    return redirect(url_for("author.settings", _anchor="pictures"), 303)


@bp.post("/settings/pictures/<kind>/remove")
def remove_picture(kind: str):
    if kind not in PICTURES:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    settings = Settings.current()
    if kind == "headshot":
        current_user._get_current_object().headshot = None
    elif kind == "logo":
        settings.logo = None
    else:
        settings.favicon = ""
    db.session.add(settings)
    db.session.commit()
    flash(f"{PICTURES[kind]} removed.", "success")
    return redirect(url_for("author.settings", _anchor="pictures"), 303)
