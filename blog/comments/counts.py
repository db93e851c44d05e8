"""Post counters kept in step with their rows: approved comments and likes."""

from sqlalchemy import func, select, update

from blog.extensions import db
from blog.models import Comment, CommentStatus, Post, PostLike


def refresh_comment_count(post_id: int) -> None:
    """Recount a post's approved comments (call after any status change or delete)."""
    approved = (
        select(func.count(Comment.id))
        .where(Comment.post_id == post_id, Comment.status == CommentStatus.APPROVED)
        .scalar_subquery()
    )
    db.session.execute(update(Post).where(Post.id == post_id).values(comment_count=approved))


def refresh_like_count(post_id: int) -> None:
    """Recount a post's likes from its PostLike rows."""
    likes = select(func.count()).where(PostLike.post_id == post_id).scalar_subquery()
    db.session.execute(update(Post).where(Post.id == post_id).values(like_count=likes))
