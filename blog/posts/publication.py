"""When a post goes out: its status and date, entered in the author's time zone, kept as UTC."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, bindparam, func, select

from blog.core.clock import local_to_utc, utcnow
from blog.extensions import db
from blog.models import Post, PostStatus


class PublicationError(ValueError):
    """A status and date that don't go together; the message is for the author."""


@dataclass
class Publication:
    status: str
    published_at: datetime | None


# The editor's buttons: each names what should happen, whatever the status field says.
PUBLISH, SCHEDULE, UNPUBLISH = "publish", "schedule", "unpublish"
ACTIONS = (PUBLISH, SCHEDULE, UNPUBLISH)


def resolve_publication(status: str, local_when: datetime | None, action: str = "") -> Publication:
    """Check the author's choice and turn it into what is stored.

    Published without a date means now; a published date in the future or a scheduled
    date that has passed is refused with a message that says what to choose instead.
    An ``action`` overrides the status: "publish" publishes now (or at the date entered,
    if that has passed), whatever date a scheduled post had; "schedule" schedules for the
    date entered; "unpublish" makes the post a draft again.
    """
    when = local_to_utc(local_when) if local_when else None
    now = utcnow()
    if action == PUBLISH:
        return Publication(PostStatus.PUBLISHED, when if when and when <= now else now)
    if action == SCHEDULE:
        status = PostStatus.SCHEDULED
    elif action == UNPUBLISH:
        status = PostStatus.DRAFT
    if status == PostStatus.PUBLISHED:
        if when is None:
            return Publication(status, now)
        if when > now:
            raise PublicationError(
                "That date is in the future. To publish later, press Schedule; "
                "to publish now, press Publish."
            )
        return Publication(status, when)
    if status == PostStatus.SCHEDULED:
        if when is None:
            raise PublicationError("Choose the date and time to publish a scheduled post.")
        if when <= now:
            raise PublicationError(
                "That time has already passed. Pick a time in the future, "
                "or press Publish to publish now."
            )
        return Publication(status, when)
    return Publication(PostStatus.DRAFT, when)


def effective_status(post: Post) -> str:
    """The status a reader would see: a scheduled post whose time has come is published."""
    if post.status == PostStatus.SCHEDULED and post.visible:
        return PostStatus.PUBLISHED
    return post.status


# Built once: every page a reader is sent asks it (see next_release).
NEXT_RELEASE = select(func.min(Post.published_at)).where(
    Post.deleted_at.is_(None),
    Post.status.in_((PostStatus.PUBLISHED, PostStatus.SCHEDULED)),
    Post.published_at > bindparam("now", type_=DateTime),
)


def next_release() -> datetime | None:
    """When the next scheduled (or future-dated) post goes out, which changes what readers
    see without a write: listings, feeds, the neighbours and related posts of others."""
    return db.session.scalar(NEXT_RELEASE, {"now": utcnow()})
