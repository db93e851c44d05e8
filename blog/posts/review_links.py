"""Private links that show a post, as it will publish, to a reviewing colleague.

A link carries 32 random bytes; only their SHA-256 is stored, so the database alone never
opens a link and the address is shown to the author once, when it is made. A link works
until it expires (REVIEW_LINK_DAYS) or the author revokes it; it never counts a view and
the page carries no comments, likes or admin links.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import contains_eager

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, ReviewLink

TOKEN_BYTES = 32
# Expired and revoked links are forgotten this long after they stopped working.
KEPT_AFTER_END = timedelta(days=30)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_days() -> int:
    return int(current_app.config["REVIEW_LINK_DAYS"])


def create(post: Post, label: str = "") -> tuple[ReviewLink, str]:
    """A new link to ``post`` and its token (shown once; the caller commits)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    link = ReviewLink(
        post=post,
        token_hash=_hash(token),
        label=" ".join(label.split())[:80],
        created_at=now,
        expires_at=now + timedelta(days=link_days()),
    )
    db.session.add(link)
    return link, token


def find(token: str) -> ReviewLink | None:
    """The link this token opens, working or not; None for a token never made."""
    if not 20 <= len(token) <= 100:
        return None
    return db.session.scalar(select(ReviewLink).where(ReviewLink.token_hash == _hash(token)))


def refusal(link: ReviewLink) -> tuple[str, str] | None:
    """(title, message) for a link that no longer works, or None while it does."""
    if link.revoked_at is not None:
        return (
            "This review link was revoked",
            "The author has withdrawn this link. If you still need to read the draft, ask "
            "the author for a new link.",
        )
    if link.expires_at <= utcnow():
        return (
            "This review link has expired",
            "Review links work for a limited time. Ask the author for a new link.",
        )
    if link.post.deleted_at is not None:
        return ("This post was removed", "The author has moved this post to the trash.")
    return None


def revoke(link: ReviewLink) -> None:
    link.revoked_at = utcnow()


def working(post: Post | None = None) -> list[ReviewLink]:
    """Links that still open their post (of ``post``, or all), soonest to expire first."""
    query = (
        select(ReviewLink)
        .join(ReviewLink.post)
        .options(contains_eager(ReviewLink.post))
        .where(
            ReviewLink.revoked_at.is_(None),
            ReviewLink.expires_at > utcnow(),
            Post.deleted_at.is_(None),
        )
        .order_by(ReviewLink.expires_at, ReviewLink.id)
    )
    if post is not None:
        query = query.where(ReviewLink.post_id == post.id)
    return list(db.session.scalars(query))


def purge_old() -> int:
    """Forget links that stopped working more than KEPT_AFTER_END ago (the caller commits)."""
    before = utcnow() - KEPT_AFTER_END
    result = db.session.execute(
        delete(ReviewLink).where(
            or_(ReviewLink.expires_at < before, ReviewLink.revoked_at < before)
        )
    )
    return result.rowcount or 0
