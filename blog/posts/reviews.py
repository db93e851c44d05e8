"""Medical review as data: who reviewed a post (a colleague, or the author herself) and
when, and the reminder to review posts again once their last review is old."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, or_, select

from blog.core.clock import local_to_utc, to_local, utcnow
from blog.extensions import db
from blog.models import Author, Post, Reviewer
from blog.posts.history import record_review

# The dashboard shows this many posts due for review (and how many more there are).
DUE_SHOWN = 10


@dataclass
class NewReviewer:
    """A colleague typed into the editor: a name, credentials and a profile page."""

    name: str
    credentials: str = ""
    url: str = ""


def colleagues() -> list[Reviewer]:
    """The reviewers the editor offers besides the author herself, by name."""
    return list(
        db.session.scalars(
            select(Reviewer)
            .where(Reviewer.author_id.is_(None))
            .order_by(func.lower(Reviewer.name), Reviewer.id)
        )
    )


def author_as_reviewer(author: Author) -> Reviewer:
    """The row that names the author herself as a post's reviewer (made when first needed)."""
    found = db.session.scalar(select(Reviewer).where(Reviewer.author_id == author.id))
    if found is None:
        found = Reviewer(name=author.name, author=author)
        db.session.add(found)
        db.session.flush()
    return found


def add_colleague(new: NewReviewer) -> Reviewer:
    """The reviewer with exactly this name, credentials and page, made if there is none."""
    name, credentials, url = new.name.strip(), new.credentials.strip(), new.url.strip()
    found = db.session.scalar(
        select(Reviewer).where(
            Reviewer.author_id.is_(None),
            Reviewer.name == name,
            Reviewer.credentials == credentials,
            Reviewer.url == url,
        )
    )
    if found is None:
        found = Reviewer(name=name, credentials=credentials, url=url)
        db.session.add(found)
        db.session.flush()
    return found


def get_colleague(reviewer_id: int) -> Reviewer | None:
    """A colleague by id (not an author of the blog: her credit follows her own profile)."""
    reviewer = db.session.get(Reviewer, reviewer_id)
    return reviewer if reviewer is not None and reviewer.author_id is None else None


def credited_posts(reviewer: Reviewer) -> list[Post]:
    """The posts (trashed ones too) that name this reviewer, newest first."""
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.reviewer_id == reviewer.id)
            .order_by(Post.created_at.desc(), Post.id.desc())
        )
    )


def credit_counts() -> dict[int, int]:
    """How many posts name each reviewer, by reviewer id."""
    rows = db.session.execute(
        select(Post.reviewer_id, func.count())
        .where(Post.reviewer_id.is_not(None))
        .group_by(Post.reviewer_id)
    )
    return {reviewer_id: count for reviewer_id, count in rows}


def update_colleague(reviewer: Reviewer, details: NewReviewer) -> None:
    """Correct a colleague's name, credentials or page: every post naming them follows."""
    reviewer.name = details.name.strip()
    reviewer.credentials = details.credentials.strip()
    reviewer.url = details.url.strip()


def remove_colleague(reviewer: Reviewer) -> list[Post]:
    """Delete a colleague; the posts that named them no longer name a reviewer (their
    review date stays). Returns those posts."""
    posts = credited_posts(reviewer)
    for post in posts:
        post.reviewer = None
    db.session.delete(reviewer)
    return posts


def is_offered(reviewer: Reviewer | None) -> bool:
    """Whether the editor offers this reviewer: not the fictional sample profile."""
    return reviewer is not None and (reviewer.author is None or reviewer.author.can_sign_in)


# -- Reminders ------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day if it is shorter)."""
    years, month_index = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_today() -> date:
    return to_local(utcnow()).date()


def due_condition(months: int):
    """Public medical posts last reviewed more than ``months`` ago, or never reviewed and
    published more than that long ago."""
    cutoff = months_before(local_today(), months)
    cutoff_moment: datetime = local_to_utc(datetime.combine(cutoff, time()))
    return (
        Post.is_public(),
        Post.medical.is_(True),
        Post.sample.is_(False),
        or_(
            Post.last_reviewed < cutoff,
            Post.last_reviewed.is_(None) & (Post.published_at < cutoff_moment),
        ),
    )


def due_for_review(months: int) -> tuple[list[Post], int]:
    """The posts longest without a review first (at most DUE_SHOWN), and how many are due."""
    condition = due_condition(months)
    total = db.session.scalar(select(func.count()).select_from(Post).where(*condition)) or 0
    posts = db.session.scalars(
        select(Post)
        .where(*condition)
        .order_by(Post.last_reviewed.asc().nulls_first(), Post.published_at, Post.id)
        .limit(DUE_SHOWN)
    )
    return list(posts), total


def reviewed_today(post: Post) -> None:
    """Record that the post was reviewed today (the site's date), with a revision."""
    post.last_reviewed = local_today()
    record_review(post)
