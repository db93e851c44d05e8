"""Readers' pages rendered once and shared by every worker: stored in the database
(``stored_pages``) under a key made from the page's address and the code and
configuration that rendered it, and served while nothing they show has changed.

What a page shows changes only through writes, and every write that can change one
raises ``page_generation.value`` in its own transaction: an ORM flush of a row of any
table but those in UNSEEN (except a post whose counters alone changed, or a comment that
is not approved and was not), and an INSERT, UPDATE or DELETE sent through the session to
any other table (except an update of a post's counters). A page is served only while it
was stored at the current value, so a change shows on the next view, on every worker,
whichever part of the code made it. Time changes pages too (a scheduled post going live,
comments closing, view counts): each page is stored with the time it stops being valid.

Storing is never in a reader's way: a page is written after its response has been sent,
and a write the database refuses (read-only, full, locked) is logged once and forgotten.
"""

import hashlib
import os
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import Flask
from sqlalchemy import Engine, and_, delete, event, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from blog.core.clock import utcnow
from blog.core.database import begin_write, upsert_for_dialect
from blog.extensions import db
from blog.models import Comment, CommentStatus, PageGeneration, Post, StoredPage

# Tables no reader's page shows: writing them leaves stored pages as they are.
UNSEEN = frozenset(
    {
        "author_sessions", "recovery_codes", "sign_in_failures", "view_receipts",
        "post_views", "post_likes", "revisions", "review_links", "import_items",
        "import_runs", "stored_pages", "page_generation", "subscribers", "outbox",
        "mail_failures", "post_mail",
    }
)  # fmt: skip
# A post's counters: a stored page may show them up to STORED_PAGE_SECONDS old.
COUNTERS = frozenset({"view_count", "like_count", "comment_count"})
# The files whose content makes a page: code, templates, styles, scripts, images.
SOURCE_SUFFIXES = (".py", ".html", ".css", ".js", ".svg", ".txt", ".xml")
PLAIN = (str, int, float, bool, type(None))
BUMPED = "rounds.page_generation_raised"
EXTENSION = "rounds.page_store"
COMPRESSION = 6
GENERATION_SQL = "SELECT value FROM page_generation WHERE id = 1"


@dataclass(frozen=True)
class Page:
    """A stored response: its body (uncompressed), type and Last-Modified (naive UTC);
    when found in the store, also the time it stops being served (naive UTC)."""

    content_type: str
    body: bytes
    last_modified: datetime | None = None
    valid_until: datetime | None = None


# -- Keys -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def source_digest(root: str) -> str:
    """A hash of every source file under ``root`` (once per process: a deploy restarts it)."""
    digest = hashlib.sha256()
    for folder, folders, files in os.walk(root):
        folders.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode() + b"\0")
                with open(path, "rb") as file:
                    digest.update(file.read())
    return digest.hexdigest()


def build_id(app: Flask) -> str:
    """What a stored page was made by: the code, and the configuration's plain values."""
    state = app.extensions[EXTENSION]
    if state.get("build") is None:
        digest = hashlib.sha256(source_digest(app.root_path).encode())
        for name, value in sorted(app.config.items()):
            if isinstance(value, PLAIN) or (
                isinstance(value, list | tuple) and all(isinstance(item, PLAIN) for item in value)
            ):
                digest.update(f"{name}={value!r}\n".encode())
        state["build"] = digest.hexdigest()
    return state["build"]


def key(app: Flask, *parts: str) -> str:
    """The stored page's key: its address's ``parts``, with the build."""
    return hashlib.sha256("\n".join([build_id(app), *parts]).encode()).hexdigest()


# -- Reading and writing ----------------------------------------------------------------


def find(page_key: str) -> tuple[int | None, Page | None]:
    """The current generation and the page stored under ``page_key`` if it is current
    (None when there is none): one query. A generation of None (it can't be read) means
    the page isn't to be stored either."""
    current = and_(
        StoredPage.key == page_key,
        StoredPage.generation == PageGeneration.value,
        StoredPage.valid_until > utcnow(),
    )
    try:
        row = db.session.execute(
            select(
                PageGeneration.value,
                StoredPage.content_type,
                StoredPage.body,
                StoredPage.last_modified,
                StoredPage.valid_until,
            )
            .outerjoin(StoredPage, current)
            .where(PageGeneration.id == 1)
        ).first()
    except SQLAlchemyError:
        db.session.rollback()
        return None, None
    if row is None:
        return 0, None  # no generation row yet: the first change makes it
    if row.body is None:
        return row.value, None
    body = zlib.decompress(row.body)
    return row.value, Page(row.content_type, body, row.last_modified, row.valid_until)


def current_generation(engine: Engine) -> int | None:
    """The generation, read on a pooled connection of its own, outside any session and
    application context (blog.public.front_door): None when it can't be read."""
    try:
        connection = engine.raw_connection()
    except Exception:  # noqa: BLE001 - then the request takes the usual way
        return None
    try:
        cursor = connection.cursor()
        cursor.execute(GENERATION_SQL)
        row = cursor.fetchone()
        cursor.close()
    except Exception:  # noqa: BLE001
        connection.invalidate()
        return None
    finally:
        connection.close()
    return row[0] if row else 0


def save(app: Flask, page_key: str, at: int, page: Page, valid_until: datetime) -> None:
    """Store ``page`` made at generation ``at``, and drop what no one can be served: pages
    of older generations, and the oldest beyond STORED_PAGES_MAX. Never raises."""
    state = app.extensions[EXTENSION]
    try:
        with app.app_context():
            begin_write()
            row = {
                "generation": at,
                "content_type": page.content_type,
                "body": zlib.compress(page.body, COMPRESSION),
                "last_modified": page.last_modified,
                "stored_at": utcnow(),
                "valid_until": valid_until,
            }
            insert = upsert_for_dialect()
            db.session.execute(
                insert(StoredPage)
                .values(key=page_key, **row)
                .on_conflict_do_update(
                    index_elements=[StoredPage.key],
                    set_=row,
                    where=StoredPage.generation <= at,  # never over a newer page
                )
            )
            db.session.execute(delete(StoredPage).where(StoredPage.generation < at))
            newest_dropped = (
                select(StoredPage.stored_at)
                .order_by(StoredPage.stored_at.desc())
                .offset(int(app.config["STORED_PAGES_MAX"]))
                .limit(1)
                .scalar_subquery()
            )
            db.session.execute(delete(StoredPage).where(StoredPage.stored_at <= newest_dropped))
            db.session.commit()
    except Exception:  # noqa: BLE001 - a page that can't be stored is served all the same
        if not state["failing"]:
            app.logger.warning("Could not store a page: pages are rendered each time", exc_info=1)
        state["failing"] = True
        return
    if state["failing"]:
        app.logger.info("Pages are stored again")
        state["failing"] = False


# -- What changes pages -----------------------------------------------------------------


def shows_change(instance, deleted: bool = False) -> bool:
    """Whether flushing this new, changed or deleted row can change a reader's page."""
    state = inspect(instance)
    if state.mapper.local_table.name in UNSEEN:
        return False
    if isinstance(instance, Comment):
        if deleted and "status" in state.unloaded:
            return True
        history = state.attrs.status.history
        return CommentStatus.APPROVED in (*history.added, *history.deleted, *history.unchanged)
    if isinstance(instance, Post) and not (deleted or state.pending):
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        return not changed <= COUNTERS
    return True


def raise_generation(session: Session) -> None:
    """Raise the generation, once per transaction, in the session's transaction."""
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(BUMPED) is transaction:
        return
    connection = session.connection()
    insert = upsert_for_dialect(connection)
    connection.execute(
        insert(PageGeneration)
        .values(id=1, value=1)
        .on_conflict_do_update(
            index_elements=[PageGeneration.id], set_={"value": PageGeneration.value + 1}
        )
    )
    session.info[BUMPED] = session.get_transaction()


def after_flush(session: Session, _context) -> None:
    # The session's lists and the rows' histories are still those before the flush.
    new_or_changed = [*session.new, *(row for row in session.dirty if session.is_modified(row))]
    if any(shows_change(row) for row in new_or_changed) or any(
        shows_change(row, deleted=True) for row in session.deleted
    ):
        raise_generation(session)


def set_columns(statement, parameters) -> set[str] | None:
    """The columns an UPDATE sets, or None when that can't be told."""
    values = getattr(statement, "_values", None)
    values = values or dict(getattr(statement, "_ordered_values", None) or ())
    if not values:
        values = parameters[0] if isinstance(parameters, list) and parameters else parameters
    if not values:
        return None
    return {getattr(name, "key", name) for name in values}


def before_statement(execute_state) -> None:
    """A bulk INSERT, UPDATE or DELETE sent through the session."""
    if not (execute_state.is_insert or execute_state.is_update or execute_state.is_delete):
        return
    table = getattr(execute_state.statement, "table", None)
    name = getattr(table, "name", None)
    if name in UNSEEN:
        return
    if name == "posts" and execute_state.is_update:
        columns = set_columns(execute_state.statement, execute_state.parameters)
        if columns and columns <= COUNTERS:
            return
    raise_generation(execute_state.session)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {"failing": False, "build": None}
    if not event.contains(Session, "after_flush", after_flush):
        event.listen(Session, "after_flush", after_flush)
        event.listen(Session, "do_orm_execute", before_statement)
