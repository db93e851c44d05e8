"""What the post page needs from comments: the visible threads, the form, the like state.

The public post view and this package's own error responses both build the page with
``post_page_context()``, so a re-rendered form looks exactly like the first one.
"""

from flask import request
from flask_login import current_user
from sqlalchemy import and_, or_, select

from blog.comments import browser, spam
from blog.comments.forms import CommentForm, LikeForm
from blog.comments.likes import has_liked
from blog.comments.moderation import comments_open, reply_parent
from blog.extensions import db
from blog.models import Comment, CommentStatus, Post
from blog.templating import site_settings

Thread = tuple[Comment, list[Comment]]


def visible_threads(post_id: int, browser_hash: str | None) -> list[Thread]:
    """Approved comments, plus this browser's own pending ones, as (comment, replies)
    pairs oldest first, one level deep."""
    shown = Comment.status == CommentStatus.APPROVED
    if browser_hash is not None:
        own_pending = and_(
            Comment.status == CommentStatus.PENDING, Comment.browser_hash == browser_hash
        )
        shown = or_(shown, own_pending)
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.post_id == post_id, shown)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id is not None:
            replies.setdefault(comment.parent_id, []).append(comment)
    top_ids = {c.id for c in comments if c.parent_id is None}
    threads = [(c, replies.get(c.id, [])) for c in comments if c.parent_id is None]
    # A reply whose parent is not shown (held, spam) still appears, at the top level.
    orphans = [c for c in comments if c.parent_id is not None and c.parent_id not in top_ids]
    threads.extend((c, []) for c in orphans)
    threads.sort(key=lambda pair: (pair[0].created_at, pair[0].id))
    return threads


def new_comment_form(post: Post) -> CommentForm:
    form = CommentForm(formdata=None)
    if current_user.is_authenticated:
        form.name.data = current_user.name
    return form


def reply_target(post: Post, form: CommentForm) -> Comment | None:
    """The comment being replied to (the bound form's parent_id, else ?reply_to=); the
    form's parent_id becomes the thread it joins, since replies go one level deep."""
    form.parent_id.data = str(form.parent_id.data or request.args.get("reply_to", ""))
    wanted = form.parent_comment_id()
    parent = reply_parent(post, wanted)
    form.parent_id.data = str(parent.id) if parent else ""
    return db.session.get(Comment, wanted) if parent else None


def post_page_context(post: Post, form: CommentForm | None = None) -> dict:
    """Template variables for public/post.html: comments, the form and the like button."""
    settings = site_settings()
    own_browser = browser.current_hash()
    threads = visible_threads(post.id, own_browser)
    form = form or new_comment_form(post)
    # A re-shown form keeps its start time, so "too fast" counts from the first page load.
    if spam.form_token_problem(form.started.data or "", post.id) not in (None, spam.TOO_FAST):
        form.started.data = spam.form_token(post.id)
    awaiting = sum(
        1
        for comment, replies in threads
        for shown in (comment, *replies)
        if shown.status == CommentStatus.PENDING
    )
    return {
        "comments": threads,
        "comment_form": form,
        "comments_open": post.visible and comments_open(post, settings),
        "reply_to": reply_target(post, form),
        "awaiting_count": awaiting,
        "like_form": LikeForm(formdata=None),
        "liked": has_liked(post.id, own_browser),
    }
