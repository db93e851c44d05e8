"""Likes: one per browser per post, pressed again to take it back."""

from sqlalchemy import delete, select

from blog.comments.counts import refresh_like_count
from blog.extensions import db
from blog.models import PostLike


def has_liked(post_id: int, browser_hashes: list[str]) -> bool:
    """Whether this browser (known by its token's hashes under every accepted key) liked it."""
    if not browser_hashes:
        return False
    found = db.session.scalar(
        select(PostLike.post_id).where(
            PostLike.post_id == post_id, PostLike.browser_hash.in_(browser_hashes)
        )
    )
    return found is not None


def toggle_like(post_id: int, browser_hashes: list[str]) -> bool:
    """Like the post from this browser, or take the like back; True when it is now liked.
    ``browser_hashes`` has the current key's hash first. The caller commits."""
    if has_liked(post_id, browser_hashes):
        db.session.execute(
            delete(PostLike).where(
                PostLike.post_id == post_id, PostLike.browser_hash.in_(browser_hashes)
            )
        )
        liked = False
    else:
        db.session.add(PostLike(post_id=post_id, browser_hash=browser_hashes[0]))
        db.session.flush()
        liked = True
    refresh_like_count(post_id)
    return liked
