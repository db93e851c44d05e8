"""Likes: one per browser per post, pressed again to take it back."""

from sqlalchemy import delete, select

from blog.comments.counts import refresh_like_count
from blog.extensions import db
from blog.models import PostLike


def has_liked(post_id: int, browser_hash: str | None) -> bool:
    if browser_hash is None:
        return False
    found = db.session.scalar(
        select(PostLike.post_id).where(
            PostLike.post_id == post_id, PostLike.browser_hash == browser_hash
        )
    )
    return found is not None


def toggle_like(post_id: int, browser_hash: str) -> bool:
    """Like the post from this browser, or take the like back; True when it is now liked.
    The caller has started a write transaction and commits."""
    if has_liked(post_id, browser_hash):
        db.session.execute(
            delete(PostLike).where(
                PostLike.post_id == post_id, PostLike.browser_hash == browser_hash
            )
        )
        liked = False
    else:
        db.session.add(PostLike(post_id=post_id, browser_hash=browser_hash))
        db.session.flush()
        liked = True
    refresh_like_count(post_id)
    return liked
