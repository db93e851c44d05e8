"""Dashboard, editor, live preview and autosave."""

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from blog.author import bp
from blog.author.forms import META_IDEAL, PostForm, normalize_newlines, post_too_long
from blog.author.guard import keeps_text
from blog.comments.moderation import count_by_status
from blog.content import RenderedPost
from blog.core.bounded import TooComplex
from blog.core.clock import format_datetime, to_local, utc_to_local
from blog.core.forms import ActionForm
from blog.core.inputs import parse_id, sized_for, wants_json
from blog.core.pagination import page_number, paginate
from blog.extensions import db
from blog.models import CommentStatus, Media, Post, PostStatus
from blog.posts import listing, stats
from blog.posts.history import autosave, unsaved_autosave
from blog.posts.images import media_for
from blog.posts.publication import PublicationError, effective_status
from blog.posts.trash import sample_post_count, trash_count
from blog.posts.writing import (
    PostInput,
    create_draft,
    existing_tag_names,
    render_text,
    save_post,
    tag_names,
)


@bp.get("/")
def dashboard():
    chosen = listing.read_listing(request.args)
    return render_template(
        "author/dashboard.html",
        listing=chosen,
        page=paginate(listing.posts_query(chosen), page_number(), per_page=listing.PAGE_SIZE),
        pending=count_by_status()[CommentStatus.PENDING],
        chart=stats.views_chart(),
        samples=sample_post_count(),
        trashed=trash_count(),
        action_form=ActionForm(),
        effective_status=effective_status,
    )


def get_post_or_404(post_id: int, trashed: bool = False) -> Post:
    post = db.get_or_404(Post, post_id)
    if (post.deleted_at is not None) != trashed:
        abort(404)
    return post


# -- Editor ---------------------------------------------------------------------------


def form_data_for(post: Post) -> dict:
    return {
        "title": post.title,
        "slug": post.slug,
        "body": post.body_md,
        "excerpt": post.excerpt,
        "tags": tag_names(post),
        "featured": post.featured,
        "status": effective_status(post),
        "published_at": utc_to_local(post.published_at),
        "meta_description": post.meta_description,
        "last_reviewed": post.last_reviewed,
        "reviewed_by": post.reviewed_by,
        "medical": post.medical,
        "audience": post.audience,
        "cover_media_id": post.cover_media_id,
    }


def post_input(form: PostForm) -> PostInput:
    return PostInput(
        title=form.title.data or "",
        body=form.body.data or "",
        slug=form.slug.data or "",
        excerpt=form.excerpt.data or "",
        tags=form.tags.data or "",
        featured=form.featured.data,
        status=form.status.data,
        published_at=form.published_at.data,
        meta_description=form.meta_description.data or "",
        last_reviewed=form.last_reviewed.data,
        cover_media_id=form.cover_media_id.data,
        medical=form.medical.data,
        audience=form.audience.data,
        reviewed_by=form.reviewed_by.data or "",
    )


def set_cover_choices(form: PostForm, signed_in: bool = True) -> None:
    """The uploaded images, by alt text; a signed-out echo of the form lists none."""
    choices = [SelectChoice("", "No cover image")]
    if signed_in:
        media = db.session.scalars(select(Media).order_by(Media.created_at.desc()))
        choices += [SelectChoice(str(m.id), m.alt or m.original_name or m.name) for m in media]
    elif form.cover_media_id.raw_data and parse_id(form.cover_media_id.raw_data[0]):
        choices.append(SelectChoice(form.cover_media_id.raw_data[0], "The image chosen before"))
    form.cover_media_id.choices = choices


def preview_of(text: str, post: Post | None, signed_in: bool) -> str:
    """The editor's first preview: the stored HTML when the text is the saved one; what a
    signed-out request sent, or a text over the size cap, is given back as text only."""
    if post is not None and text == post.body_md:
        return post.body_html
    if not signed_in or post_too_long(text):
        return ""
    try:
        return render_text(text).html
    except TooComplex:
        return ""


def render_editor(
    form: PostForm,
    post: Post | None,
    status: int = 200,
    problem: str | None = None,
    autosaved=None,
    signed_in: bool = True,
    preview_html: str | None = None,
):
    """The editor page; ``problem`` says why a save failed and how to recover. The preview
    is rendered here unless given (empty when the text could not be rendered)."""
    if preview_html is None:
        preview_html = preview_of(form.body.data or "", post, signed_in)
    page = render_template(
        "author/editor.html",
        form=form,
        post=post,
        problem=problem,
        autosaved=autosaved,
        signed_in=signed_in,
        preview_html=preview_html,
        tag_suggestions=existing_tag_names() if signed_in else [],
        meta_ideal=META_IDEAL,
        action_form=ActionForm(),
    )
    return page, status


def saved_response(post: Post, message: str):
    """After a save: a redirect, or its address as JSON for the editor's script."""
    flash(message, "success")
    location = url_for("author.edit_post", post_id=post.id)
    if wants_json():
        return jsonify(location=location)
    return redirect(location, 303)


def save_message(post: Post, notes: list[str]) -> str:
    if post.status == PostStatus.SCHEDULED:
        message = f"Scheduled for {format_datetime(post.published_at)}."
    elif post.status == PostStatus.PUBLISHED:
        message = "Saved and published."
    else:
        message = "Draft saved."
    return " ".join([message, *notes])


TOO_COMPLEX = (
    "The post was not saved: its text is too intricate to render in time (for example "
    "thousands of nested lists, brackets or footnotes). Your text is still here; simplify "
    "that part, then press Save again."
)


def render_outside_the_lock(markdown: str) -> RenderedPost:
    """Render the author's text with no transaction open, so the write lock every POST
    takes is not held while Markdown runs (TooComplex past POST_RENDER_SECONDS)."""
    media = media_for(markdown)
    db.session.commit()
    return render_text(markdown, media)


def try_save(form: PostForm, post: Post):
    """Validate and save; on any problem, the editor again with the author's text, 400."""
    if not form.validate_on_submit():
        return render_editor(
            form,
            post if post.id else None,
            400,
            "The post was not saved. Correct the fields marked below, then press Save again.",
        )
    try:
        rendered = render_outside_the_lock(form.body.data or "")
    except TooComplex:  # not rendered again for the page's preview
        return render_editor(form, post if post.id else None, 400, TOO_COMPLEX, preview_html="")
    try:
        notes = save_post(post, post_input(form), rendered)
    except PublicationError as error:
        db.session.rollback()
        form.published_at.errors = [*form.published_at.errors, str(error)]
        saved = db.session.get(Post, post.id) if post.id else None
        problem = "The post was not saved: check its date."
        return render_editor(form, saved, 400, problem, preview_html=rendered.html)
    db.session.commit()
    return saved_response(post, save_message(post, notes))


@keeps_text("author.new_post", "author.edit_post")
def editor_with_submitted_text(status: int, problem: str):
    """The editor refilled from the request, for a save that arrived signed out or stale."""
    signed_in = current_user.is_authenticated
    form = PostForm(meta={"csrf": False})
    set_cover_choices(form, signed_in=signed_in)
    post = None
    if signed_in and "post_id" in (request.view_args or {}):
        post = db.session.get(Post, request.view_args["post_id"])
    return render_editor(form, post, status, problem, signed_in=signed_in)


@bp.route("/posts/new", methods=["GET", "POST"])
@sized_for("editor")
def new_post():
    form = PostForm()
    set_cover_choices(form)
    if request.method == "POST":
        return try_save(form, Post(author_id=current_user.id))
    return render_editor(form, None)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@sized_for("editor")
def edit_post(post_id: int):
    post = get_post_or_404(post_id)
    if request.method == "POST":
        form = PostForm()
        set_cover_choices(form)
        return try_save(form, post)
    form = PostForm(data=form_data_for(post))
    set_cover_choices(form)
    autosaved = None
    if request.args.get("version") != "saved":
        autosaved = unsaved_autosave(post)
        if autosaved is not None:
            form.title.data = autosaved.title
            form.body.data = autosaved.body_md
    return render_editor(form, post, autosaved=autosaved)


# -- Preview and autosave -------------------------------------------------------------


@bp.post("/preview")
@sized_for("editor")
def preview():
    """The HTML the post will publish, made by the same rendering as a save."""
    body = normalize_newlines(request.form.get("body", ""))
    problem = post_too_long(body)
    if problem:
        return jsonify(error=problem), 400
    try:
        rendered = render_outside_the_lock(body)
    except TooComplex:
        return jsonify(error="This text is too intricate to preview in time."), 400
    response = make_response(rendered.html)
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["X-Word-Count"] = str(rendered.word_count)
    response.headers["X-Reading-Minutes"] = str(rendered.reading_minutes)
    return response


@bp.post("/posts/autosave", endpoint="autosave")
@sized_for("editor")
def autosave_post():
    """Keep the editor's title and text as an autosave revision; JSON for the script."""
    title = request.form.get("title", "")[:200]
    body = normalize_newlines(request.form.get("body", ""))
    raw_id = request.form.get("post_id", "")
    problem = post_too_long(body)
    if problem:  # the browser's own copy still holds the text
        return jsonify(error=problem), 400
    if raw_id:
        if parse_id(raw_id) is None:
            return jsonify(error="Unknown post."), 400
        post = db.session.get(Post, parse_id(raw_id))
        if post is None or post.deleted_at is not None:
            return jsonify(error="This post is no longer here (it may be in the trash)."), 404
        revision = autosave(post, title, body)
    elif title.strip() or body.strip():
        author = current_user._get_current_object()
        try:
            post = create_draft(author, title, body, render_outside_the_lock(body))
        except TooComplex:
            post = create_draft(author, title, "")  # keep the text in the autosave only
        revision = autosave(post, title, body)
    else:
        return jsonify(saved=False)
    db.session.commit()
    saved_at = to_local(revision.created_at)
    return jsonify(
        saved=True,
        post_id=post.id,
        edit_url=url_for("author.edit_post", post_id=post.id),
        autosave_url=url_for("author.autosave"),
        saved_at=f"{saved_at:%H:%M}",
    )
