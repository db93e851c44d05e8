"""The reader's comment and like endpoints under a post's address."""

from flask import abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blog.comments import moderation, notify, spam
from blog.comments.likes import toggle_like
from blog.core.bounded import TooComplex
from blog.core.database import CannotWrite
from blog.core.forms import ActionForm
from blog.core.inputs import wants_json
from blog.core.keys import ip_hash
from blog.core.site import site_settings
from blog.core.templating import plural
from blog.errors import cannot_save_page, refused_write
from blog.extensions import csrf, db, limiter
from blog.models import CommentStatus, Post
from blog.public import bp, reader, refused
from blog.public.forms import CommentForm, reader_form
from blog.public.pages import LIKE_CONFIRM, render_post_page

CLOSED = "Comments are closed on this post, so yours was not saved. Your text is below."
RATE_LIMITED = (
    "You have sent several comments in a short time. Please wait a little and send it "
    "again; your text is kept below."
)
CSRF_EXPIRED = "This form has expired. Your text is kept below: please send it again."
TOO_COMPLEX = (
    "This comment is too intricate to show (very deep lists or quotes, or thousands of "
    "brackets). Simplify it and send it again; your text is kept below."
)
PARENT_GONE = "The comment you replied to is no longer available; your comment is kept below."
LIKE_CONFIRM_MESSAGE = "Press Like again to confirm."
NO_COOKIE = (
    "Your browser did not keep this site's cookie, so the like could not be counted: "
    "likes count from browsers that keep it, so a script can't inflate them."
)
CANNOT_SAVE = (
    "The site can't save comments right now (a problem on the server, not with your "
    "comment), so yours was not saved. Your text is kept below: please send it again later."
)


def public_post_or_404(slug: str) -> Post:
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    if post is None or not post.visible:
        abort(404)
    return post


def comment_limit_reached(limit):
    """Refuse with 429 on the post page itself, so the reader keeps their text."""
    post = public_post_or_404(request.view_args["slug"])
    form = reader_form(CommentForm)
    page = current_app.make_response(render_post_page(post, form, [RATE_LIMITED], 429))
    return refused(page, limit)


@bp.errorhandler(CannotWrite)
def cannot_save(error: CannotWrite):
    """503 when the database or the disk refuses writes: a comment comes back on its post
    page with the reader's text."""
    refused_write(error)
    if request.endpoint == "public.comment" and not wants_json():
        post = public_post_or_404(request.view_args["slug"])
        return render_post_page(post, CommentForm(), [CANNOT_SAVE], 503)
    return cannot_save_page()


def form_problems(form: CommentForm, post: Post) -> list[str]:
    """Validate the reader's form; the messages that belong to no single field."""
    problems = []
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        problems.append(CSRF_EXPIRED)
    parent_id = form.parent_comment_id()
    if parent_id is not None and moderation.reply_parent(post, parent_id) is None:
        problems.append(PARENT_GONE)
    if not form.errors and not problems:
        problem = spam.form_token_problem(form.started.data, post.id)
        if problem:
            problems.append(problem)
    return problems


@bp.post("/post/<slug>/comments")
@csrf.exempt  # reader_form: no token for readers; the author's is checked by the form itself
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], on_breach=comment_limit_reached)
def comment(slug: str):
    post = public_post_or_404(slug)
    form = reader_form(CommentForm)
    if not moderation.comments_open(post, site_settings()):
        return render_post_page(post, form, [CLOSED], 403)
    problems = form_problems(form, post)
    if problems or form.errors:
        return render_post_page(post, form, problems, 400)
    parent = moderation.reply_parent(post, form.parent_comment_id())
    draft = moderation.Draft(
        name=form.name.data,
        email=form.email.data or None,
        body=form.body.data,
        parent_id=parent.id if parent else None,
        honeypot=bool((form.website.data or "").strip()),
        ip_hash=ip_hash(),
        browser_hashes=reader.ensure_hashes(),
        by_author=current_user.is_authenticated,
        notify_replies=form.notify_replies.data,
    )
    post_id = post.id
    db.session.commit()  # end the reads: nothing is rendered while holding the write lock
    try:
        draft.body_html = moderation.render_body(draft.body)
    except TooComplex:
        return render_post_page(post, form, [TOO_COMPLEX], 400)
    post = db.session.get(Post, post_id)
    added = moderation.add_comment(post, draft, site_settings())
    if added.status != CommentStatus.SPAM and not added.is_author:
        notify.notify_new_comment(added, post)
    if parent is not None:
        notify.notify_reply(parent, added)
    db.session.commit()
    anchor = f"comment-{added.id}" if added.status == CommentStatus.APPROVED else "comments"
    return reader.remember(redirect(url_for("public.post", slug=post.slug, _anchor=anchor), 303))


@bp.get("/post/<slug>/comments")
def comments(slug: str):
    """The address a refused comment's page was answered at, asked for again (the address
    bar, a reload without its form): the post's comments, not a 405."""
    return redirect(url_for("public.post", slug=slug, _anchor="comments"), 303)


@bp.post("/post/<slug>/like")
@csrf.exempt  # as the comment form
@limiter.limit(lambda: current_app.config["LIKE_RATE_LIMIT"])
def like(slug: str):
    """Like the post, or take the like back. A like counts only from a browser holding a
    cookie the site issued before: the first press from a browser without one gets the
    cookie and is asked to press again, so likes sent without cookies change nothing."""
    post = public_post_or_404(slug)
    if not site_settings().show_likes:
        abort(404)
    if not reader_form(ActionForm).validate_on_submit():
        abort(400)
    post_id = post.id
    if not reader.has_token():
        reader.ensure_hashes()
        if wants_json():
            count = post.like_count
            response = jsonify(
                liked=False,
                confirm=True,
                count=count,
                label=plural(count, "like"),
                message=LIKE_CONFIRM_MESSAGE,
                no_cookie=NO_COOKIE,
            )
        else:
            target = url_for("public.post", slug=post.slug, like=LIKE_CONFIRM, _anchor="like")
            response = redirect(target, 303)
        return reader.remember(response)
    try:
        liked = toggle_like(post_id, reader.own_hashes())
        db.session.commit()
    except IntegrityError:  # the same browser's like raced itself (no write lock on PostgreSQL)
        db.session.rollback()
        liked = True
    post = db.session.get(Post, post_id)
    if wants_json():
        count = post.like_count
        return jsonify(liked=liked, count=count, label=plural(count, "like"))
    return redirect(url_for("public.post", slug=post.slug, _anchor="like"), 303)
