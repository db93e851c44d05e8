"""Readers' views of posts: counting them (a total per post and a count per post and
day) and the dashboard's chart of the last 30 days."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.datastructures import Headers

from blog.core.clock import utcnow
from blog.core.database import begin_write
from blog.extensions import db
from blog.models import Post, PostView

# Crawlers, link previewers, monitors and command-line clients are not readers.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|"
    r"pingdom|uptime|curl|wget|python-requests|httpx|aiohttp|go-http-client|headless|"
    r"lighthouse|feed|validator",
    re.IGNORECASE,
)


def is_reader_view(headers: Headers, signed_in: bool) -> bool:
    """Whether a GET of a post page, sent with ``headers``, is a reader's view worth counting."""
    if signed_in:
        return False
    purpose = headers.get("Sec-Purpose", "") + headers.get("Purpose", "")
    if "prefetch" in purpose:
        return False
    agent = headers.get("User-Agent", "")
    return bool(agent) and not BOT_RE.search(agent)


def record_view(post_id: int, day: date | None = None) -> None:
    """Add one view to the post's total and to its count for the day, and commit."""
    day = day or utcnow().date()
    begin_write()
    db.session.execute(
        update(Post).where(Post.id == post_id).values(view_count=Post.view_count + 1)
    )
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PostView).values(post_id=post_id, day=day, count=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=[PostView.post_id, PostView.day],
            set_={"count": PostView.count + 1},
        )
    )
    db.session.commit()


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
