"""The author's table of posts, 50 a page: sorting, and filters that agree with readers."""

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, select, true

from blog.core.clock import utcnow
from blog.models import Post, PostStatus

SORT_COLUMNS = {
    "title": func.lower(Post.title),
    "status": Post.status,
    "published": Post.published_at,
    "views": Post.view_count,
    "comments": Post.comment_count,
    "updated": Post.updated_at,
}
DEFAULT_SORT = ("updated", "desc")
STATUS_FILTERS = ("all", PostStatus.DRAFT, PostStatus.PUBLISHED, PostStatus.SCHEDULED)
PAGE_SIZE = 50


@dataclass
class Listing:
    sort: str
    order: str
    status: str


def read_listing(args) -> Listing:
    """Sort, order and status filter from the query string; anything unknown falls back."""
    sort = args.get("sort", DEFAULT_SORT[0])
    order = args.get("order", "")
    status = args.get("status", "all")
    if sort not in SORT_COLUMNS:
        sort, order = DEFAULT_SORT
    if order not in ("asc", "desc"):
        order = "asc" if sort == "title" else "desc"
    if status not in STATUS_FILTERS:
        status = "all"
    return Listing(sort, order, status)


def _status_condition(status: str):
    """Filters that agree with what readers see: a scheduled post past its time is published."""
    now = utcnow()
    if status == PostStatus.PUBLISHED:
        return Post.is_public()
    if status == PostStatus.SCHEDULED:
        return and_(Post.status == PostStatus.SCHEDULED, Post.published_at > now)
    if status == PostStatus.DRAFT:
        return Post.status == PostStatus.DRAFT
    return true()


def posts_query(listing: Listing) -> Select:
    """The listed posts in order, for paginating PAGE_SIZE at a time."""
    column = SORT_COLUMNS[listing.sort]
    ordering = column.asc() if listing.order == "asc" else column.desc()
    return (
        select(Post)
        .where(Post.deleted_at.is_(None), _status_condition(listing.status))
        .order_by(ordering.nulls_last(), Post.id.desc())
    )
