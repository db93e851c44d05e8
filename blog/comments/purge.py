"""Forgetting on schedule: spam older than SPAM_PURGE_DAYS is deleted, reader IP hashes
older than IP_HASH_DAYS erased, view receipts older than two days deleted, SQLite's
planner statistics refreshed. `flask purge` runs
it, and the moderation page at most once an hour per process: no cron needed to forget."""

import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from blog.core.clock import utcnow
from blog.core.database import begin_write, refresh_planner_statistics
from blog.extensions import db
from blog.models import Comment, CommentStatus, ViewReceipt

INTERVAL_SECONDS = 3600
# A view receipt only matters on its day (a reader counts once a day); two days leaves
# room for time zones and clocks, then the hashes go.
VIEW_RECEIPT_DAYS = 2
_last_run = {"at": float("-inf")}


@dataclass
class PurgeResult:
    spam_deleted: int
    ip_hashes_erased: int
    view_receipts_deleted: int = 0


def purge() -> PurgeResult:
    """Delete old spam, erase old IP hashes and view receipts, refresh planner statistics,
    and commit."""
    config = current_app.config
    now = utcnow()
    spam_cutoff = now - timedelta(days=float(config["SPAM_PURGE_DAYS"]))
    ip_cutoff = now - timedelta(days=float(config["IP_HASH_DAYS"]))
    begin_write()
    old_spam = select(Comment.id).where(
        Comment.status == CommentStatus.SPAM, Comment.created_at < spam_cutoff
    )
    # Replies to a purged comment stay; they are shown on their own.
    db.session.execute(
        update(Comment).where(Comment.parent_id.in_(old_spam)).values(parent_id=None),
        execution_options={"synchronize_session": False},
    )
    deleted = db.session.execute(
        delete(Comment).where(Comment.id.in_(old_spam)),
        execution_options={"synchronize_session": False},
    ).rowcount
    erased = db.session.execute(
        update(Comment)
        .where(Comment.ip_hash.is_not(None), Comment.created_at < ip_cutoff)
        .values(ip_hash=None),
        execution_options={"synchronize_session": False},
    ).rowcount
    receipts = db.session.execute(
        delete(ViewReceipt).where(ViewReceipt.day < now.date() - timedelta(days=VIEW_RECEIPT_DAYS)),
        execution_options={"synchronize_session": False},
    ).rowcount
    refresh_planner_statistics()
    db.session.commit()
    _last_run["at"] = time.monotonic()
    return PurgeResult(
        spam_deleted=deleted, ip_hashes_erased=erased, view_receipts_deleted=receipts
    )


def purge_if_due() -> PurgeResult | None:
    """Run purge() when this process hasn't for an hour (cheap enough for a page load)."""
    if time.monotonic() - _last_run["at"] < INTERVAL_SECONDS:
        return None
    result = purge()
    if result.spam_deleted or result.ip_hashes_erased or result.view_receipts_deleted:
        current_app.logger.info(
            "Purged %d old spam comments, %d old IP hashes and %d old view receipts",
            result.spam_deleted,
            result.ip_hashes_erased,
            result.view_receipts_deleted,
        )
    return result
