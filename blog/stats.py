"""Counting readers' views of posts: a total per post and a count per post and day."""

import re
from datetime import date

from flask import Request
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from blog.database import begin_write
from blog.extensions import db
from blog.models import Post, PostView, utcnow

# Crawlers, link previewers, monitors and command-line clients are not readers.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|"
    r"pingdom|uptime|curl|wget|python-requests|httpx|aiohttp|go-http-client|headless|"
    r"lighthouse|feed|validator",
    re.IGNORECASE,
)


def is_reader_view(request: Request, signed_in: bool) -> bool:
    """Whether a request for a post page is a reader's view worth counting."""
    if request.method != "GET" or signed_in:
        return False
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    if "prefetch" in purpose:
        return False
    agent = request.headers.get("User-Agent", "")
    return bool(agent) and not BOT_RE.search(agent)


def record_view(post_id: int, day: date | None = None) -> None:
    """Add one view to the post's total and to its count for the day, and commit."""
    day = day or utcnow().date()
    begin_write()
    db.session.execute(
        update(Post)
        .where(Post.id == post_id)
        # A view is not an edit: keep updated_at (feeds, sitemap, dateModified) as it was.
        .values(view_count=Post.view_count + 1, updated_at=Post.updated_at)
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
