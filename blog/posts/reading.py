"""Ways onward from a post: related posts, the previous and next post, the archive."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, literal, or_, select, union_all

from blog.core.clock import local_to_utc, to_local
from blog.extensions import db
from blog.models import Post, post_tags

RELATED_COUNT = 3


def related_posts(
    post: Post, limit: int = RELATED_COUNT, leave_out: Iterable[int] = ()
) -> list[Post]:
    """Public posts sharing the most tags with ``post``, newest first among equals, but
    those in ``leave_out`` (the previous and next posts, which the page links already)."""
    tag_ids = [tag.id for tag in post.tags]
    if not tag_ids:
        return []
    shared = func.count(post_tags.c.tag_id)
    others = Post.id.not_in([post.id, *leave_out])
    return list(
        db.session.scalars(
            select(Post)
            .join(post_tags, post_tags.c.post_id == Post.id)
            .where(post_tags.c.tag_id.in_(tag_ids), others, Post.is_public())
            .group_by(Post.id)
            .order_by(shared.desc(), Post.published_at.desc(), Post.id.desc())
            .limit(limit)
        )
    )


@dataclass
class Neighbours:
    previous: Post | None = None  # older
    next: Post | None = None  # newer

    @property
    def ids(self) -> list[int]:
        return [post.id for post in (self.previous, self.next) if post is not None]


def neighbours(post: Post) -> Neighbours:
    """The public posts published just before and just after ``post`` (one query)."""
    if post.published_at is None:
        return Neighbours()
    at, post_id = post.published_at, post.id
    older = (
        select(Post.id, literal("previous").label("side"))
        .where(
            Post.is_public(),
            or_(Post.published_at < at, and_(Post.published_at == at, Post.id < post_id)),
        )
        .order_by(Post.published_at.desc(), Post.id.desc())
        .limit(1)
    )
    newer = (
        select(Post.id, literal("next").label("side"))
        .where(
            Post.is_public(),
            or_(Post.published_at > at, and_(Post.published_at == at, Post.id > post_id)),
        )
        .order_by(Post.published_at, Post.id)
        .limit(1)
    )
    sides = union_all(older.subquery().select(), newer.subquery().select()).subquery()
    rows = db.session.execute(select(Post, sides.c.side).join(sides, sides.c.id == Post.id)).all()
    found = Neighbours()
    for neighbour, side in rows:
        setattr(found, side, neighbour)
    return found


# -- Archive --------------------------------------------------------------------------


@dataclass
class Month:
    year: int
    month: int
    posts: list  # rows of (title, slug, published_at, reading_minutes, sample)

    @property
    def first_day(self) -> datetime:
        return datetime(self.year, self.month, 1)


def archive_bounds(year: int | None, month: int | None) -> tuple[datetime, datetime] | None:
    """UTC (start, end) of a year or month in the site's time zone; None when out of range."""
    if year is None:
        return None
    if not 1900 <= year <= 9998 or (month is not None and not 1 <= month <= 12):
        raise ValueError("no such period")
    if month is None:
        start, end = datetime(year, 1, 1), datetime(year + 1, 1, 1)
    else:
        start = datetime(year, month, 1)
        end = datetime(year + month // 12, month % 12 + 1, 1)
    return local_to_utc(start), local_to_utc(end)


@dataclass
class MonthCount:
    year: int
    month: int
    posts: int


def public_post_count() -> int:
    return db.session.scalar(select(func.count(Post.id)).where(Post.is_public()))


def archive_months() -> list[MonthCount]:
    """How many public posts each month has (site time zone), newest first: the archive's
    index when there are too many posts for one page. One query of the dates alone; a
    date is put in the site's zone only when it is older than the month before it began
    (once a month, not once a post: thousands of posts would take a tenth of a second),
    where the month's own page (archive_bounds) begins it."""
    dates = db.session.scalars(
        select(Post.published_at).where(Post.is_public()).order_by(Post.published_at.desc())
    )
    months: list[MonthCount] = []
    month_began = None  # in UTC, as the dates are
    for published_at in dates:
        if month_began is None or published_at < month_began:
            local = to_local(published_at)
            months.append(MonthCount(local.year, local.month, 0))
            # Not archive_bounds(), which refuses years its pages don't show (before 1900).
            month_began = local_to_utc(datetime(local.year, local.month, 1))
        months[-1].posts += 1
    return months


def archive(year: int | None = None, month: int | None = None) -> list[Month]:
    """Public posts grouped by month (site time zone), newest first; one query.

    Raises ValueError for a year or month that cannot exist.
    """
    query = select(
        Post.title, Post.slug, Post.published_at, Post.reading_minutes, Post.sample
    ).where(Post.is_public())
    bounds = archive_bounds(year, month)
    if bounds is not None:
        query = query.where(Post.published_at >= bounds[0], Post.published_at < bounds[1])
    posts = db.session.execute(query.order_by(Post.published_at.desc(), Post.id.desc()))
    months: list[Month] = []
    for post in posts:
        local = to_local(post.published_at)
        if not months or (months[-1].year, months[-1].month) != (local.year, local.month):
            months.append(Month(local.year, local.month, []))
        months[-1].posts.append(post)
    return months


# -- Table of contents ------------------------------------------------------------------


@dataclass
class ContentsEntry:
    anchor: str
    text: str
    children: list[ContentsEntry]


def contents_tree(toc: list[tuple[int, str, str]]) -> list[ContentsEntry]:
    """A post's h2/h3 headings as a two-level list: each h3 under the h2 before it."""
    tree: list[ContentsEntry] = []
    top_level = min((level for level, _, _ in toc), default=2)
    for level, anchor, text in toc:
        entry = ContentsEntry(anchor, text, [])
        if level > top_level and tree:
            tree[-1].children.append(entry)
        else:
            tree.append(entry)
    return tree
