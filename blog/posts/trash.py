"""The trash: deleting a post hides it (readers get 410) until the trash is emptied."""

from sqlalchemy import func, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post


def move_to_trash(post: Post) -> None:
    post.deleted_at = utcnow()


def restore_from_trash(post: Post) -> None:
    post.deleted_at = None


def trashed_posts() -> list[Post]:
    return list(
        db.session.scalars(
            select(Post).where(Post.deleted_at.is_not(None)).order_by(Post.deleted_at.desc())
        )
    )


def trash_count() -> int:
    return db.session.scalar(select(func.count()).where(Post.deleted_at.is_not(None))) or 0


def empty_trash() -> int:
    """Delete every trashed post for good (comments, views and history go with it)."""
    return _delete_posts(Post.deleted_at.is_not(None))


def sample_post_count() -> int:
    return db.session.scalar(select(func.count()).where(Post.sample.is_(True))) or 0


def delete_sample_posts() -> int:
    """Remove the sample content's posts (and their comments) in one action."""
    return _delete_posts(Post.sample.is_(True))


def _delete_posts(condition) -> int:
    """Delete through the session, so flush listeners (the search index) see it;
    comments, views, likes, revisions and redirects go by the database's cascades."""
    posts = list(db.session.scalars(select(Post).where(condition)))
    for post in posts:
        db.session.delete(post)
    db.session.flush()
    return len(posts)
