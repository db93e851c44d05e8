"""The media library: upload (JSON for the editor's script, a plain form here), alt
text, deleting an image no post uses."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from blog.author import bp, imports, settings
from blog.author.forms import AltForm, UploadForm
from blog.core.forms import ActionForm
from blog.core.inputs import sized_for, wants_json
from blog.errors import http_error
from blog.extensions import db
from blog.models import Media
from blog.posts import images


def error_json(message: str, status: int):
    return {"error": message}, status


def upload_limit_message() -> str:
    megabytes = float(current_app.config["MAX_UPLOAD_MB"])
    return (
        f"This file is larger than the {megabytes:g} MB upload limit. "
        "Export a smaller version (a phone photo's 'medium' size is plenty) and try again."
    )


@bp.errorhandler(413)
def too_large(error):
    """An upload over the limit. (Werkzeug refuses it while the CSRF check reads the form,
    before the guard runs: a signed-out sender gets the plain error page.)"""
    if request.endpoint == "author.start_import" and current_user.is_authenticated:
        return imports.too_large()
    if request.endpoint == "author.upload_picture" and current_user.is_authenticated:
        return settings.picture_too_large()
    if request.endpoint != "author.upload" or not current_user.is_authenticated:
        return http_error(error)
    if not wants_json():
        flash(upload_limit_message(), "error")
        return library_page(UploadForm(formdata=None), status=413)
    return error_json(upload_limit_message(), 413)


@bp.post("/media")
@sized_for("upload")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        if not wants_json():
            return library_page(form, status=400)
        return error_json(message, 400)
    try:
        media = store_from_form(form)
    except images.ImageRejected as rejected:
        db.session.rollback()
        if not wants_json():
            form.file.errors.append(str(rejected))
            return library_page(form, status=415)
        return error_json(str(rejected), 415)
    db.session.commit()
    if not wants_json():
        flash(f"Uploaded {media.original_name}.", "success")
        return redirect(url_for("author.library", _anchor=f"media-{media.id}"), 303)
    return {
        "id": media.id,
        "url": images.media_path(media),
        "markdown": images.markdown_for(media, form.alt.data, form.caption.data or ""),
        "thumbnail": images.media_path(media, width=480),
        "width": media.width,
        "height": media.height,
    }


def store_from_form(form: UploadForm) -> Media:
    upload_file = form.file.data
    return images.store_upload(
        upload_file.read(),
        original_name=(upload_file.filename or "").replace("\x00", ""),
        alt=form.alt.data,
        media_dir=current_app.config["MEDIA_DIR"],
        max_pixels=int(current_app.config["MAX_IMAGE_PIXELS"]),
    )


@bp.get("/media/library")
def library():
    return library_page(UploadForm(formdata=None))


def library_page(form: UploadForm, status: int = 200):
    items = db.session.scalars(select(Media).order_by(Media.created_at.desc(), Media.id.desc()))
    items = items.all()
    media_dir = current_app.config["MEDIA_DIR"]
    page = render_template(
        "author/library.html",
        form=form,
        items=items,
        used_by=images.usage(items),
        shown_as=images.shown_as(items),
        sizes={media.id: images.file_sizes(media, media_dir) for media in items},
        alt_forms={media.id: alt_form(media) for media in items},
        max_upload_bytes=current_app.config["MAX_CONTENT_LENGTH"],
    )
    return page, status


def alt_form(media: Media, formdata=None) -> AltForm:
    """Each card's alt form has its own prefix, so field ids stay unique on the page."""
    return AltForm(formdata=formdata, obj=media, prefix=f"m{media.id}")


@bp.post("/media/<int:media_id>/alt")
def edit_alt(media_id: int):
    media = db.get_or_404(Media, media_id)
    form = alt_form(media, formdata=request.form)
    if not form.validate_on_submit():
        db.session.rollback()
        flash(" ".join(form.alt.errors) or "The alt text could not be saved.", "error")
        return redirect(url_for("author.library"), 303)  # at the top, where the message is
    media.alt = form.alt.data
    db.session.commit()
    flash(f"Alt text of {media.original_name} saved.", "success")
    return redirect(url_for("author.library", _anchor=f"media-{media.id}"), 303)


@bp.post("/media/<int:media_id>/delete")
def delete_media(media_id: int):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    media = db.get_or_404(Media, media_id)
    posts = images.usage([media])[media.id]
    if posts:
        db.session.rollback()
        titles = ", ".join(f"“{post.title}”" for post in posts)
        flash(
            f"{media.original_name} was not deleted: it is used by {titles}. "
            "Remove it from those posts (text and cover) first.",
            "error",
        )
        return redirect(url_for("author.library"), 303)
    roles = images.shown_as([media])[media.id]
    if roles:
        db.session.rollback()
        flash(
            f"{media.original_name} was not deleted: it is {' and '.join(roles)}. "
            "Change or remove it in Settings first.",
            "error",
        )
        return redirect(url_for("author.library"), 303)
    name = media.original_name
    db.session.delete(media)
    db.session.commit()
    images.delete_files(media, current_app.config["MEDIA_DIR"])
    flash(f"Deleted {name}.", "success")
    return redirect(url_for("author.library"), 303)
