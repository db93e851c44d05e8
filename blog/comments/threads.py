"""The comments a reader sees under a post: approved ones, and their own pending ones."""

from sqlalchemy import and_, or_, select

from blog.extensions import db
from blog.models import Comment, CommentStatus

Thread = tuple[Comment, list[Comment]]


def visible_threads(post_id: int, browser_hashes: list[str]) -> list[Thread]:
    """Approved comments, plus this browser's own pending ones, as (comment, replies)
    pairs oldest first, one level deep."""
    shown = Comment.status == CommentStatus.APPROVED
    if browser_hashes:
        own_pending = and_(
            Comment.status == CommentStatus.PENDING, Comment.browser_hash.in_(browser_hashes)
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


def awaiting_count(threads: list[Thread]) -> int:
    """How many of the shown comments still wait for approval (the reader's own)."""
    return sum(
        1
        for comment, replies in threads
        for shown in (comment, *replies)
        if shown.status == CommentStatus.PENDING
    )
