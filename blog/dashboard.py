"""What the author's dashboard shows: the posts table, pending comments, views per day."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, func, select, true

from blog.extensions import db
from blog.models import Comment, CommentStatus, Post, PostStatus, PostView, utcnow

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


def list_posts(listing: Listing) -> list[Post]:
    column = SORT_COLUMNS[listing.sort]
    ordering = column.asc() if listing.order == "asc" else column.desc()
    query = (
        select(Post)
        .where(Post.deleted_at.is_(None), _status_condition(listing.status))
        .order_by(ordering.nulls_last(), Post.id.desc())
    )
    return list(db.session.scalars(query))


def pending_comment_count() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Comment).where(Comment.status == CommentStatus.PENDING)
        )
        or 0
    )


# -- Views chart ------------------------------------------------------------------------

CHART_DAYS = 30
CHART_WIDTH = 600
CHART_HEIGHT = 160
CHART_TOP = 6
CHART_BOTTOM = 1


@dataclass
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class ViewsChart:
    bars: list[Bar]
    total: int
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    baseline: int = CHART_HEIGHT - CHART_BOTTOM

    @property
    def first(self) -> date:
        return self.bars[0].day

    @property
    def last(self) -> date:
        return self.bars[-1].day

    @property
    def busiest(self) -> Bar | None:
        return max(self.bars, key=lambda bar: bar.count) if self.total else None


def views_per_day(today: date | None = None, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Readers' views of all posts for each of the last ``days`` days (UTC), oldest first."""
    today = today or utcnow().date()
    start = today - timedelta(days=days - 1)
    counts = dict(
        db.session.execute(
            select(PostView.day, func.sum(PostView.count))
            .where(PostView.day >= start, PostView.day <= today)
            .group_by(PostView.day)
        ).all()
    )
    return [
        (start + timedelta(days=n), int(counts.get(start + timedelta(days=n), 0)))
        for n in range(days)
    ]


def views_chart(today: date | None = None) -> ViewsChart:
    """Bar geometry for the dashboard's SVG, in a fixed viewBox the CSS scales."""
    series = views_per_day(today)
    peak = max((count for _, count in series), default=0)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = CHART_WIDTH / len(series)
    bars = []
    for index, (day, count) in enumerate(series):
        height = round(plot_height * count / peak, 1) if peak else 0
        height = max(height, 1.5) if count else 0
        bars.append(
            Bar(
                day=day,
                count=count,
                x=round(index * slot + slot * 0.15, 1),
                y=round(CHART_HEIGHT - CHART_BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=height,
            )
        )
    return ViewsChart(bars=bars, total=sum(count for _, count in series), peak=peak)
