"""Readers' views of posts and the dashboard's chart of the last 30 days.

A view is counted by a small request the post page's script sends once it has loaded
(so cached pages count too, and readers without JavaScript, like most bots, don't). Each
process keeps the views it was told of in memory and one thread writes them in batches:
at most one write transaction every VIEW_FLUSH_SECONDS however busy the site is, and
whatever is left when the process stops cleanly (an exit hook, and gunicorn's
worker_exit). Each reader counts once per post per day: a receipt (a daily-keyed hash)
is kept for every reader counted, and only views without one add to the post's total and
its day. A write that fails is logged and tried again; it never reaches a reader.
"""

import atexit
import itertools
import re
import threading
import weakref
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import func, select, update
from werkzeug.datastructures import Headers

from blog.core.clock import utcnow
from blog.core.database import begin_write, upsert_for_dialect
from blog.extensions import db
from blog.models import Post, PostView, ViewReceipt

# Crawlers, link previewers, monitors and command-line clients are not readers.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|"
    r"pingdom|uptime|curl|wget|python-requests|httpx|aiohttp|go-http-client|headless|"
    r"lighthouse|feed|validator",
    re.IGNORECASE,
)
# Views a process keeps before it writes them; more (a flood of made-up addresses while
# the database is unreachable) are dropped rather than grow the worker's memory.
PENDING_LIMIT = 20_000
ROWS_A_STATEMENT = 300  # well under SQLite's limit on bound parameters
SLUG_MAX = 200  # Post.slug's length: a longer one names no post
EXTENSION = "rounds.views"


def is_reader_view(headers: Headers, signed_in: bool) -> bool:
    """Whether a request sent with ``headers`` is a reader's view worth counting."""
    if signed_in:
        return False
    purpose = headers.get("Sec-Purpose", "") + headers.get("Purpose", "")
    if "prefetch" in purpose:
        return False
    agent = headers.get("User-Agent", "")
    return bool(agent) and not BOT_RE.search(agent)


@dataclass(frozen=True, order=True)
class Seen:
    """One reader (a hash, see ViewReceipt) viewing the post ``slug`` on ``day``."""

    slug: str
    day: date
    reader_hash: str


def write_views(seen: Iterable[Seen]) -> int:
    """Write views in one transaction and commit; how many were new.

    A receipt is inserted for each reader not yet counted for that post on that day
    (insert-or-ignore); only the receipts actually inserted add to the post's total and
    to its count for the day. Views of posts readers can't see (unknown, hidden, trashed)
    are dropped. Rows go in a fixed order, so two processes writing at once can't
    deadlock (PostgreSQL locks rows as it goes).
    """
    seen = sorted(seen)
    begin_write()
    post_ids = {}
    for slugs in batches(sorted({view.slug for view in seen})):
        found = select(Post.slug, Post.id).where(Post.slug.in_(slugs), Post.is_public())
        post_ids.update(db.session.execute(found).all())
    rows = [
        {"post_id": post_ids[view.slug], "day": view.day, "reader_hash": view.reader_hash}
        for view in seen
        if view.slug in post_ids
    ]
    insert = upsert_for_dialect()
    new: Counter[tuple[int, date]] = Counter()
    for chunk in batches(rows):
        added = db.session.execute(
            insert(ViewReceipt)
            .values(chunk)
            .on_conflict_do_nothing()
            .returning(ViewReceipt.post_id, ViewReceipt.day)
        )
        new.update((post_id, day) for post_id, day in added)
    for (post_id, day), count in sorted(new.items()):
        db.session.execute(
            update(Post).where(Post.id == post_id).values(view_count=Post.view_count + count),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            insert(PostView)
            .values(post_id=post_id, day=day, count=count)
            .on_conflict_do_update(
                index_elements=[PostView.post_id, PostView.day],
                set_={"count": PostView.count + count},
            )
        )
    db.session.commit()
    return new.total()


def batches(items: list, size: int = ROWS_A_STATEMENT):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class ViewCounter:
    """The views one process has been told of and not yet written (see the module)."""

    def __init__(self, app: Flask):
        self.app = app
        self.lock = threading.Lock()  # guards ``pending``, ``writer`` and ``stop``
        self.writing = threading.Lock()  # one write at a time
        self.pending: set[Seen] = set()
        self.writer: threading.Thread | None = None
        self.stop = threading.Event()
        self.failing = False

    def add(self, view: Seen) -> None:
        with self.lock:
            if len(self.pending) >= PENDING_LIMIT:
                return
            self.pending.add(view)
            # Started on demand (and again in a forked process, where it isn't running).
            if self.writer is None or not self.writer.is_alive():
                self.stop = threading.Event()
                self.writer = threading.Thread(
                    target=self._write_while_pending, args=(self.stop,), daemon=True
                )
                self.writer.start()

    def _write_while_pending(self, stop: threading.Event) -> None:
        """Write every VIEW_FLUSH_SECONDS while views come in; end when none came."""
        interval = max(float(self.app.config["VIEW_FLUSH_SECONDS"]), 0.01)
        while not stop.wait(interval):
            with self.lock:
                if not self.pending:
                    if self.writer is threading.current_thread():
                        self.writer = None
                    return
            self.flush()

    def flush(self) -> int:
        """Write what is pending now, in one transaction; how many views were new. Never
        raises: a failed write is logged and its views kept for the next try."""
        with self.writing:
            with self.lock:
                taken, self.pending = self.pending, set()
            if not taken:
                return 0
            try:
                with self.app.app_context():
                    added = write_views(taken)
            except Exception:  # noqa: BLE001 - counting views must never break anything else
                self._keep(taken)
                if not self.failing:
                    self.app.logger.exception("Could not write %d counted views", len(taken))
                self.failing = True
                return 0
            if self.failing:
                self.app.logger.info("Counted views are written again")
                self.failing = False
            return added

    def close(self) -> None:
        """A clean shutdown: stop the writer (after the write it may be doing) and write
        what is left."""
        with self.lock:
            writer, self.writer = self.writer, None
            self.stop.set()
        if writer is not None and writer is not threading.current_thread():
            writer.join()
        self.flush()

    def _keep(self, views: set[Seen]) -> None:
        with self.lock:
            room = max(PENDING_LIMIT - len(self.pending), 0)
            self.pending.update(itertools.islice(views, room))


_counters: "weakref.WeakSet[ViewCounter]" = weakref.WeakSet()


def init_app(app: Flask) -> None:
    """Give the app its view counter (written at the latest when the process exits)."""
    counter = ViewCounter(app)
    app.extensions[EXTENSION] = counter
    _counters.add(counter)


def count_view(slug: str, day: date, reader_hash: str) -> None:
    """Count a view of the post ``slug`` by the reader ``reader_hash`` (no database work
    now: the post is looked up when the views are written)."""
    if 0 < len(slug) <= SLUG_MAX:
        current_app.extensions[EXTENSION].add(Seen(slug, day, reader_hash))


def flush_views() -> int:
    """Write this app's pending views now; how many were new."""
    return current_app.extensions[EXTENSION].flush()


def close_all() -> None:
    """Write every app's pending views: a clean shutdown (atexit, gunicorn's worker_exit)."""
    for counter in list(_counters):
        counter.close()


atexit.register(close_all)


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
