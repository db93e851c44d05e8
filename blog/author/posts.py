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
from blog.author.reviewing import chosen_reviewer_id, dashboard_reviews, reviewer_value
from blog.comments.moderation import count_by_status
from blog.content import RenderedPost
from blog.core.bounded import TooComplex
from blog.core.clock import format_datetime, utc_to_local, zone_abbreviations
from blog.core.forms import ActionForm
from blog.core.inputs import parse_id, sized_for, wants_json
from blog.core.pagination import page_number, paginate
from blog.core.templating import plural
from blog.extensions import db
from blog.mail import outbox, subscriptions
from blog.models import CommentStatus, MailState, Media, Post, PostStatus
from blog.posts import listing, review_links, seo, stats
from blog.posts.history import autosave, compare, unsaved_autosave
from blog.posts.images import media_for
from blog.posts.publication import PublicationError, effective_status
from blog.posts.trash import sample_post_count, trash_count
from blog.posts.writing import (
    Conflict,
    PostInput,
    create_draft,
    existing_tag_names,
    find_conflict,
    hold_for_saving,
    render_text,
    save_post,
    tag_names,
    version_of,
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
        subscribers=subscriptions.subscriber_count(),
        action_form=ActionForm(),
        effective_status=effective_status,
        **dashboard_reviews(),
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
        "last_reviewed": None if post.sample else post.last_reviewed,  # the profile's, not hers
        "reviewer": reviewer_value(post),
        "medical": post.medical,
        "audience": post.audience,
        "cover_media_id": post.cover_media_id,
        "version": version_of(post),
        "email_subscribers": getattr(outbox.mail_plan(post.id), "state", None) != MailState.NONE,
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
        reviewer_id=chosen_reviewer_id(form),
        action=form.chosen_action(),
    )


def set_cover_choices(form: PostForm, signed_in: bool = True) -> list[Media]:
    """The uploaded images a cover can be, newest first (the editor shows thumbnails); a
    signed-out echo of the form lists none, only the one chosen before."""
    choices = [SelectChoice("", "No cover image")]
    media: list[Media] = []
    if signed_in:
        media = list(db.session.scalars(select(Media).order_by(Media.created_at.desc())))
        choices += [SelectChoice(str(m.id), m.alt or m.original_name or m.name) for m in media]
    elif form.cover_media_id.raw_data and parse_id(form.cover_media_id.raw_data[0]):
        choices.append(SelectChoice(form.cover_media_id.raw_data[0], "The image chosen before"))
    form.cover_media_id.choices = choices
    return media


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


def conflict_view(conflict: Conflict, post: Post, title: str, body: str) -> dict:
    """What the conflict view shows: the other page's version and this one's, compared
    word by word (author/_conflict.html)."""
    return {
        "theirs": conflict,
        "post": post,
        "mine_title": title,
        "mine_body": body,
        "lines": compare(conflict.body, body),
        "same_text": (conflict.title, conflict.body) == (title, body),
    }


def conflict_html(conflict: Conflict, post: Post, title: str, body: str) -> str:
    """The conflict view alone, for the editor's script to show."""
    return render_template(
        "author/_conflict.html", conflict=conflict_view(conflict, post, title, body)
    )


def render_editor(
    form: PostForm,
    post: Post | None,
    status: int = 200,
    problem: str | None = None,
    autosaved=None,
    signed_in: bool = True,
    conflict: Conflict | None = None,
    covers: list[Media] | None = None,
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
        status_now=status_shown(form, post),
        problem=problem,
        invalid=invalid_fields(form),
        conflict=conflict_view(conflict, post, form.title.data or "", form.body.data or "")
        if conflict and post
        else None,
        autosaved=autosaved,
        signed_in=signed_in,
        preview_html=preview_html,
        tag_suggestions=existing_tag_names() if signed_in else [],
        covers={media.id: media for media in covers or []},
        zone_names=zone_abbreviations(),
        meta_ideal=META_IDEAL,
        action_form=ActionForm(),
        review_links=review_links.working(post) if post and signed_in else [],
        mail_plan=outbox.mail_plan(post.id) if post and signed_in else None,
    )
    return page, status


def status_shown(form: PostForm, post: Post | None) -> str:
    """The status the action bar offers buttons for: the post's; for a form echoed back
    without its post (signed out), the status it was sent with."""
    if post is not None:
        return effective_status(post)
    if form.status.data in (PostStatus.PUBLISHED, PostStatus.SCHEDULED):
        return form.status.data
    return PostStatus.DRAFT


def invalid_fields(form: PostForm) -> dict[str, dict]:
    """The fields a refused save must correct: id -> label and messages."""
    return {
        field.id: {"label": field.label.text, "errors": list(field.errors)}
        for field in form
        if field.errors and field.id != "csrf_token"
    }


def refused(
    form: PostForm,
    post: Post,
    covers,
    status: int,
    problem: str,
    conflict=None,
    preview: str | None = None,
):
    """A save that did not happen: the editor again with the author's text (a plain form),
    or for the editor's script JSON it shows beside the buttons, with the fields to fix
    and, for a conflict, the comparison."""
    saved = post if post.id else None
    if not wants_json():
        return render_editor(
            form,
            saved,
            status,
            problem,
            conflict=conflict,
            covers=covers,
            preview_html=preview,
        )
    answer = {"error": problem, "fields": invalid_fields(form)}
    if conflict is not None and saved is not None:
        answer["version"] = conflict.version
        answer["conflict"] = conflict_html(
            conflict, saved, form.title.data or "", form.body.data or ""
        )
    return jsonify(answer), status


def saved_response(post: Post, message: str):
    """After a save: a redirect, or its address as JSON for the editor's script."""
    flash(message, "success")
    location = url_for("author.edit_post", post_id=post.id)
    if wants_json():
        return jsonify(location=location)
    return redirect(location, 303)


def save_message(post: Post, before: str | None, notes: list[str]) -> str:
    """What the save did, said in terms of what readers now see."""
    was_public = before == PostStatus.PUBLISHED
    if post.status == PostStatus.SCHEDULED:
        message = "Scheduled."  # the bar shows the date beside the status
    elif post.status == PostStatus.PUBLISHED:
        message = "Updated: readers see the new version." if was_public else "Published."
    elif was_public:
        message = "Unpublished: the post is a draft again, and readers no longer see it."
    elif before == PostStatus.SCHEDULED:
        message = "Unscheduled: the post is a draft again."
    else:
        message = "Draft saved."
    return " ".join([message, *notes])


FIX_FIELDS = "The post was not saved: correct the fields marked below, then save again."
CONFLICT = (
    "The post was not saved: it changed in another tab or window. Choose below which "
    "version to keep."
)
TOO_COMPLEX = (
    "The post was not saved: its text is too intricate to render in time (for example "
    "thousands of nested lists, brackets or footnotes). Your text is still here; simplify "
    "that part, then save again."
)


def render_outside_the_lock(markdown: str) -> RenderedPost:
    """Render the author's text with no transaction open, so the write lock every POST
    takes is not held while Markdown runs (TooComplex past POST_RENDER_SECONDS)."""
    media = media_for(markdown)
    db.session.commit()
    return render_text(markdown, media)


def try_save(form: PostForm, post: Post, covers: list[Media]):
    """Validate and save; on any problem, the author's text comes back with the reason
    (400, or 409 when the post changed since the page was opened)."""
    if not form.validate_on_submit():
        return refused(form, post, covers, 400, FIX_FIELDS)
    try:
        rendered = render_outside_the_lock(form.body.data or "")
    except TooComplex:  # not rendered again for the page's preview
        return refused(form, post, covers, 400, TOO_COMPLEX, preview="")
    if post.id is not None:
        hold_for_saving(post.id)  # the post reloads after it (the commit above expired it)
    title, body = form.title.data or "", form.body.data or ""
    conflict = find_conflict(post, form.base_version(), title, body)
    if conflict is not None:
        return refused(form, post, covers, 409, CONFLICT, conflict, preview=rendered.html)
    before = effective_status(post) if post.id else None
    was_public = bool(post.id) and post.visible
    try:
        notes = save_post(post, post_input(form), rendered)
        db.session.flush()
        outbox.plan_post_mail(post, was_public, form.email_subscribers.data)
        queued = outbox.queue_post(post.id)
    except PublicationError as error:
        db.session.rollback()
        form.published_at.errors = [*form.published_at.errors, str(error)]
        return refused(
            form, post, covers, 400, f"The post was not saved: {error}", preview=rendered.html
        )
    db.session.commit()
    if queued:
        notes = [*notes, f"Its mail is queued for {plural(queued, 'subscriber')}."]
    seo.cover_image(post)  # a post without a cover gets its share picture drawn now
    return saved_response(post, save_message(post, before, notes))


@keeps_text("author.new_post", "author.edit_post")
def editor_with_submitted_text(status: int, problem: str):
    """The editor refilled from the request, for a save that arrived signed out or stale."""
    signed_in = current_user.is_authenticated
    form = PostForm(meta={"csrf": False})
    covers = set_cover_choices(form, signed_in=signed_in)
    post = None
    if signed_in and "post_id" in (request.view_args or {}):
        post = db.session.get(Post, request.view_args["post_id"])
    return render_editor(form, post, status, problem, signed_in=signed_in, covers=covers)


@bp.route("/posts/new", methods=["GET", "POST"])
@sized_for("editor")
def new_post():
    form = PostForm()
    covers = set_cover_choices(form)
    if request.method == "POST":
        return try_save(form, Post(author_id=current_user.id), covers)
    return render_editor(form, None, covers=covers)


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@sized_for("editor")
def edit_post(post_id: int):
    post = get_post_or_404(post_id)
    if request.method == "POST":
        form = PostForm()
        return try_save(form, post, set_cover_choices(form))
    form = PostForm(data=form_data_for(post))
    covers = set_cover_choices(form)
    autosaved = None
    if request.args.get("version") != "saved":
        autosaved = unsaved_autosave(post)
        if autosaved is not None:
            form.title.data = autosaved.title
            form.body.data = autosaved.body_md
    return render_editor(form, post, autosaved=autosaved, covers=covers)


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
    """Keep the editor's title and text as an autosave revision; JSON for the script.
    Like a save, it is refused (409) when the post changed since the page's version."""
    title = request.form.get("title", "")[:200]
    body = normalize_newlines(request.form.get("body", ""))
    raw_id = request.form.get("post_id", "")
    problem = post_too_long(body)
    if problem:  # the browser's own copy still holds the text
        return jsonify(error=problem), 400
    if raw_id:
        if parse_id(raw_id) is None:
            return jsonify(error="Unknown post."), 400
        hold_for_saving(parse_id(raw_id))  # before the post is read
        post = db.session.get(Post, parse_id(raw_id))
        if post is None or post.deleted_at is not None:
            return jsonify(error="This post is no longer here (it may be in the trash)."), 404
        overwrite = request.form.get("overwrite") or None
        conflict = find_conflict(post, overwrite or request.form.get("version"), title, body)
        if conflict is not None:
            return jsonify(
                error=AUTOSAVE_CONFLICT,
                version=conflict.version,
                conflict=conflict_html(conflict, post, title, body),
            ), 409
        revision = autosave(post, title, body, keep_newest=overwrite is not None)
    elif title.strip() or body.strip():
        author = current_user._get_current_object()
        try:
            post = create_draft(author, title, body, render_outside_the_lock(body))
        except TooComplex:
            post = create_draft(author, title, "")  # keep the text in the autosave only
        revision = autosave(post, title, body)
    else:
        return jsonify(saved=False)
    db.session.flush()
    answer = dict(
        saved=True,
        post_id=post.id,
        version=version_of(post),
        saved_at=format_datetime(revision.created_at),
        title=post.title,
        slug=post.slug,
        edit_url=url_for("author.edit_post", post_id=post.id),
        view_url=url_for("public.post", slug=post.slug),
        revisions_url=url_for("author.revisions", post_id=post.id),
        autosave_url=url_for("author.autosave"),
    )
    db.session.commit()
    return jsonify(answer)


AUTOSAVE_CONFLICT = (
    "Autosave paused: the post changed in another tab or window. Choose below which "
    "version to keep."
)
