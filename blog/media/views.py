"""Media views: the upload endpoint, the library, and public serving of stored files."""

from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from blog import images
from blog.database import begin_write
from blog.extensions import db, login_manager
from blog.media import bp
from blog.media.forms import AltForm, DeleteForm, UploadForm
from blog.models import Media

ONE_YEAR = 31_536_000


def wants_html() -> bool:
    """A browser's form submission; scripts (and anything unspecific) get JSON."""
    accept = request.accept_mimetypes
    return accept["text/html"] > accept["application/json"]


def author_required(view):
    """login_required, except that a script is told in JSON instead of redirected."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            return view(*args, **kwargs)
        if request.method == "POST" and not wants_html():
            return error_json("You are signed out. Sign in again, then retry the upload.", 401)
        return login_manager.unauthorized()

    return wrapped


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
    if wants_html() and current_user.is_authenticated:
        flash(upload_limit_message(), "error")
        return library_page(UploadForm(formdata=None), status=413)
    return error_json(upload_limit_message(), 413)


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    message = "Your session has expired. Reload the page (your text is kept), then try again."
    if wants_html():
        flash(message, "error")
        return redirect(url_for("media.library"), 303)
    return error_json(message, 400)


@bp.post("/admin/media")
@author_required
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        message = " ".join(error for errors in form.errors.values() for error in errors)
        if wants_html():
            return library_page(form, status=400)
        return error_json(message, 400)
    try:
        media = store_from_form(form)
    except images.ImageRejected as rejected:
        db.session.rollback()
        if wants_html():
            form.file.errors.append(str(rejected))
            return library_page(form, status=415)
        return error_json(str(rejected), 415)
    db.session.commit()
    if wants_html():
        flash(f"Uploaded {media.original_name}.", "success")
        return redirect(url_for("media.library", _anchor=f"media-{media.id}"), 303)
    return {
        "id": media.id,
        "url": images.media_path(media),
        "markdown": images.markdown_for(media, form.alt.data),
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


@bp.get("/admin/media/library")
@author_required
def library():
    return library_page(UploadForm(formdata=None))


def library_page(form: UploadForm, status: int = 200):
    items = db.session.scalars(select(Media).order_by(Media.created_at.desc(), Media.id.desc()))
    items = items.all()
    media_dir = current_app.config["MEDIA_DIR"]
    page = render_template(
        "media/library.html",
        form=form,
        items=items,
        used_by=images.usage(items),
        sizes={media.id: images.file_sizes(media, media_dir) for media in items},
        alt_forms={media.id: alt_form(media) for media in items},
        max_upload_bytes=current_app.config["MAX_CONTENT_LENGTH"],
    )
    return page, status


def alt_form(media: Media, formdata=None) -> AltForm:
    """Each card's alt form has its own prefix, so field ids stay unique on the page."""
    return AltForm(formdata=formdata, obj=media, prefix=f"m{media.id}")


@bp.post("/admin/media/<int:media_id>/alt")
@author_required
def edit_alt(media_id: int):
    begin_write()
    media = db.get_or_404(Media, media_id)
    form = alt_form(media, formdata=request.form)
    if not form.validate_on_submit():
        db.session.rollback()
        flash(" ".join(form.alt.errors) or "The alt text could not be saved.", "error")
        return redirect(url_for("media.library"), 303)  # at the top, where the message is
    media.alt = form.alt.data
    db.session.commit()
    flash(f"Alt text of {media.original_name} saved.", "success")
    return redirect(url_for("media.library", _anchor=f"media-{media.id}"), 303)


@bp.post("/admin/media/<int:media_id>/delete")
@author_required
def delete(media_id: int):
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    begin_write()
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
        return redirect(url_for("media.library"), 303)
    name = media.original_name
    db.session.delete(media)
    db.session.commit()
    images.delete_files(media, current_app.config["MEDIA_DIR"])
    flash(f"Deleted {name}.", "success")
    return redirect(url_for("media.library"), 303)


@bp.get("/media/<filename>")
def serve(filename: str):
    """A stored file. Names are content hashes, so a file never changes: cache it a year."""
    if not images.is_media_file_name(filename):
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
