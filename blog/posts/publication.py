"""When a post goes out: its status and date, entered in the author's time zone, kept as UTC."""

from dataclasses import dataclass
from datetime import datetime

from blog.core.clock import local_to_utc, utcnow
from blog.models import Post, PostStatus


class PublicationError(ValueError):
    """A status and date that don't go together; the message is for the author."""


@dataclass
class Publication:
    status: str
    published_at: datetime | None


def resolve_publication(status: str, local_when: datetime | None) -> Publication:
    """Check the author's choice and turn it into what is stored.

    Published without a date means now; a published date in the future or a scheduled
    date that has passed is refused with a message that says what to choose instead.
    """
    when = local_to_utc(local_when) if local_when else None
    now = utcnow()
    if status == PostStatus.PUBLISHED:
        if when is None:
            return Publication(status, now)
        if when > now:
            raise PublicationError(
                "That date is in the future. To publish later, choose “Scheduled”; "
                "to publish now, clear the date."
            )
        return Publication(status, when)
    if status == PostStatus.SCHEDULED:
        if when is None:
            raise PublicationError("Choose the date and time to publish a scheduled post.")
        if when <= now:
            raise PublicationError(
                "That time has already passed. Pick a time in the future, "
                "or choose “Published” to publish now."
            )
        return Publication(status, when)
    return Publication(PostStatus.DRAFT, when)


def effective_status(post: Post) -> str:
    """The status a reader would see: a scheduled post whose time has come is published."""
    if post.status == PostStatus.SCHEDULED and post.visible:
        return PostStatus.PUBLISHED
    return post.status
