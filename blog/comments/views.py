"""Comment and like endpoints for readers; the moderation queue for the author."""

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from blog.comments import bp, browser, moderation, notify, spam
from blog.comments.forms import ActionForm, BulkForm, CommentForm, EraseForm, LikeForm, ReplyForm
from blog.comments.likes import toggle_like
from blog.comments.page import post_page_context
from blog.comments.purge import purge_if_due
from blog.database import begin_write
from blog.errors import wants_json
from blog.extensions import csrf, db, limiter
from blog.models import Comment, CommentStatus, Post
from blog.pagination import page_number, paginate
from blog.privacy import ip_hash
from blog.templating import plural, site_settings

CLOSED = "Comments are closed on this post, so yours was not saved. Your text is below."
RATE_LIMITED = (
    "You have sent several comments in a short time. Please wait a little and send it "
    "again; your text is kept below."
)
CSRF_EXPIRED = "This form has expired. Your text is kept below: please send it again."
PARENT_GONE = "The comment you replied to is no longer available; your comment is kept below."
QUEUE_PAGE_SIZE = 50


# -- Readers ----------------------------------------------------------------------------


def public_post_or_404(slug: str) -> Post:
    post = db.session.scalar(select(Post).where(Post.slug == slug))
    if post is None or not post.visible:
        abort(404)
    return post


def post_page(post: Post, form: CommentForm, status: int, errors: list[str]):
    """The post page again, with the reader's text and the reasons it was not accepted."""
    context = post_page_context(post, form)
    page = render_template("public/post.html", post=post, form_errors=errors, **context)
    return page, status


def comment_rate_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


def like_rate_limit() -> str:
    return current_app.config["LIKE_RATE_LIMIT"]


def comment_limit_reached(_limit):
    """Refuse with 429 on the post page itself, so the reader keeps their text."""
    post = public_post_or_404(request.view_args["slug"])
    page, _ = post_page(post, CommentForm(), 429, [RATE_LIMITED])
    return current_app.make_response((page, 429))


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
@csrf.exempt  # CommentForm checks the token itself, so a failure keeps the reader's text
@limiter.limit(comment_rate_limit, on_breach=comment_limit_reached)
def create(slug: str):
    post = public_post_or_404(slug)
    form = CommentForm()
    if not moderation.comments_open(post, site_settings()):
        return post_page(post, form, 403, [CLOSED])
    problems = form_problems(form, post)
    if problems or form.errors:
        return post_page(post, form, 400, problems)
    parent = moderation.reply_parent(post, form.parent_comment_id())
    draft = moderation.Draft(
        name=form.name.data,
        email=form.email.data or None,
        body=form.body.data,
        parent_id=parent.id if parent else None,
        honeypot=bool((form.website.data or "").strip()),
        ip_hash=ip_hash(),
        browser_hash=browser.ensure_hash(),
        by_author=current_user.is_authenticated,
    )
    post_id = post.id
    begin_write()
    post = db.session.get(Post, post_id)
    comment = moderation.add_comment(post, draft, site_settings())
    db.session.commit()
    if comment.status != CommentStatus.SPAM and not comment.is_author:
        notify.notify_new_comment(comment, post)
    if comment.status == CommentStatus.APPROVED:
        target = url_for("public.post", slug=post.slug, _anchor=f"comment-{comment.id}")
    else:
        target = url_for("public.post", slug=post.slug, _anchor="comments")
    return browser.remember(redirect(target, 303))


@bp.post("/post/<slug>/like")
@limiter.limit(like_rate_limit)
def like(slug: str):
    post = public_post_or_404(slug)
    if not site_settings().show_likes:
        abort(404)
    if not LikeForm().validate_on_submit():
        abort(400)
    post_id = post.id
    browser_hash = browser.ensure_hash()
    begin_write()
    try:
        liked = toggle_like(post_id, browser_hash)
        db.session.commit()
    except IntegrityError:  # the same browser's like raced itself (no write lock on PostgreSQL)
        db.session.rollback()
        liked = True
    post = db.session.get(Post, post_id)
    if wants_json():
        response = jsonify(
            liked=liked, count=post.like_count, label=plural(post.like_count, "like")
        )
    else:
        response = redirect(url_for("public.post", slug=post.slug, _anchor="like"), 303)
    return browser.remember(response)


# -- Moderation -------------------------------------------------------------------------


def chosen_tab(value: str | None) -> str:
    return value if value in CommentStatus.ALL else CommentStatus.PENDING


def back_to_queue(tab: str | None):
    return redirect(url_for("comments.moderate", status=chosen_tab(tab)), 303)


def render_queue(status: str, code: int = 200, reply_form=None, reply_for=None, erase_form=None):
    query = (
        select(Comment)
        .where(Comment.status == status)
        .options(selectinload(Comment.post), selectinload(Comment.parent))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    page = paginate(query, page_number(), per_page=QUEUE_PAGE_SIZE)
    return (
        render_template(
            "comments/moderate.html",
            status=status,
            page=page,
            counts=moderation.count_by_status(),
            action_form=ActionForm(formdata=None, tab=status),
            bulk_form=BulkForm(formdata=None, tab=status),
            reply_form=reply_form,
            reply_for=reply_for,
            erase_form=erase_form or EraseForm(formdata=None, tab=status),
        ),
        code,
    )


@bp.get("/admin/comments")
@login_required
def moderate():
    status = request.args.get("status", CommentStatus.PENDING)
    if status not in CommentStatus.ALL:
        abort(404)
    purge_if_due()
    return render_queue(status)


DONE = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}


@bp.post("/admin/comments/<int:comment_id>/<action>")
@login_required
def act(comment_id: int, action: str):
    if action not in moderation.ACTIONS:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    begin_write()
    comment = db.get_or_404(Comment, comment_id)
    name = comment.author_name
    moderation.apply_action(comment, action)
    db.session.commit()
    flash(f"The comment by {name} was {DONE[action]}.", "success")
    return back_to_queue(form.tab.data)


@bp.post("/admin/comments/bulk")
@login_required
def bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.ids.data:
        flash("Select one or more comments first.", "warning")
        return back_to_queue(form.tab.data)
    begin_write()
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(form.ids.data))).all()
    for comment in comments:
        moderation.apply_action(comment, form.action.data)
    db.session.commit()
    flash(f"{plural(len(comments), 'comment')} {DONE[form.action.data]}.", "success")
    return back_to_queue(form.tab.data)


@bp.post("/admin/comments/<int:comment_id>/reply")
@login_required
def reply(comment_id: int):
    form = ReplyForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        db.get_or_404(Comment, comment_id)
        return render_queue(chosen_tab(form.tab.data), 400, reply_form=form, reply_for=comment_id)
    begin_write()
    comment = db.get_or_404(Comment, comment_id)
    was_pending = comment.status != CommentStatus.APPROVED
    moderation.author_reply(comment, current_user, form.body.data)
    db.session.commit()
    note = " The comment was approved too." if was_pending else ""
    flash(f"Your reply to {comment.author_name} is published.{note}", "success")
    return back_to_queue(form.tab.data)


@bp.post("/admin/comments/erase")
@login_required
def erase():
    form = EraseForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        return render_queue(chosen_tab(form.tab.data), 400, erase_form=form)
    begin_write()
    deleted = moderation.erase_email(form.email.data)
    db.session.commit()
    if deleted:
        flash(f"Deleted {plural(deleted, 'comment')} made with {form.email.data}.", "success")
    else:
        flash(f"No comments were made with {form.email.data}.", "warning")
    return back_to_queue(form.tab.data)
