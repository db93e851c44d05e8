"""Imports started from the Import page: each runs in a thread of its own, outside any
request, and keeps its ImportRun row up to date for the page to show its progress.

A run that stops without finishing (the server restarted under it) stays "running" with
an old ``updated_at``; after STALE_MINUTES it counts as stopped, and since importing is
repeatable, starting it again finishes the job.
"""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select, update

from blog.core.clock import utcnow
from blog.core.database import begin_write
from blog.extensions import db
from blog.imports.progress import Progress
from blog.models import Author, ImportRun, RunStatus

STALE_MINUTES = 10
SAVE_EVERY_SECONDS = 0.5
KEPT_DAYS = 1
EXTENSIONS = (".xml", ".json", ".zip")


def upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_name(filename: str) -> str:
    """A random name for an upload, keeping a known extension (it says nothing more)."""
    suffix = Path(filename or "").suffix.lower()
    return secrets.token_hex(16) + (suffix if suffix in EXTENSIONS else ".upload")


def is_stale(run: ImportRun) -> bool:
    unfinished = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    return unfinished and run.updated_at < utcnow() - timedelta(minutes=STALE_MINUTES)


def busy() -> ImportRun | None:
    """An import still running, if any: one at a time."""
    runs = db.session.scalars(
        select(ImportRun).where(ImportRun.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
    )
    return next((run for run in runs if not is_stale(run)), None)


def recent(limit: int = 10) -> list[ImportRun]:
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))


def create_run(label: str, address: str, file_name: str, pages_as: str, dry_run: bool):
    """A queued run (the caller commits, then starts it)."""
    run = ImportRun(
        label=label[:500],
        address=address[:500],
        file_name=file_name,
        pages_as=pages_as,
        dry_run=dry_run,
    )
    db.session.add(run)
    return run


def forget_old_files() -> None:
    """Delete uploads of runs finished more than KEPT_DAYS ago (a dry run keeps its file
    that long, so "Import now" can use it)."""
    cutoff = utcnow() - timedelta(days=KEPT_DAYS)
    old = db.session.scalars(
        select(ImportRun).where(ImportRun.file_name != "", ImportRun.updated_at < cutoff)
    )
    for run in old:
        _remove_upload(run)


def _remove_upload(run: ImportRun) -> None:
    if run.file_name:
        (upload_folder() / run.file_name).unlink(missing_ok=True)
        run.file_name = ""


class RunProgress(Progress):
    """Stores the stage and its count on the run row, at most every SAVE_EVERY_SECONDS.
    Called between the import's own transactions, so each save is a short write."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.stage_name, self.done, self.total = "", 0, 0
        self.saved_at = 0.0

    def stage(self, name: str, total: int = 0) -> None:
        self.stage_name, self.done, self.total = name, 0, total
        self.save()

    def step(self, label: str = "") -> None:
        self.done += 1
        if time.monotonic() - self.saved_at >= SAVE_EVERY_SECONDS:
            self.save()

    def save(self, **values) -> None:
        begin_write()
        db.session.execute(
            update(ImportRun)
            .where(ImportRun.id == self.run_id)
            .values(
                stage=self.stage_name[:200],
                done=self.done,
                total=self.total,
                updated_at=utcnow(),
                **values,
            )
        )
        db.session.commit()
        self.saved_at = time.monotonic()


def execute(app: Flask, run_id: int, author_id: int) -> None:
    """The body of a run's thread: import, then store the outcome on the run."""
    # The importers (parsers, converters, an HTTP client) are loaded when an import runs,
    # not by every worker that serves pages.
    from blog.imports.fetching import ImportRefused
    from blog.imports.importer import Options, run_import

    with app.app_context():
        run = db.session.get(ImportRun, run_id)
        location = str(upload_folder() / run.file_name) if run.file_name else run.address
        stored_name, shown_name = run.file_name, run.label
        options = Options(dry_run=run.dry_run, pages_as=run.pages_as)
        progress = RunProgress(run_id)
        progress.save(status=RunStatus.RUNNING)
        author = db.session.get(Author, author_id)
        try:
            report = run_import(location, author, options, progress)
        except ImportRefused as refused:
            db.session.rollback()
            error = str(refused)
            if stored_name:  # the name she uploaded, not the one it was stored under
                error = error.replace(stored_name, shown_name)
            _finish(run_id, status=RunStatus.FAILED, error=error)
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Import %s failed", run_id)
            _finish(
                run_id,
                status=RunStatus.FAILED,
                error="The import stopped on an unexpected error (it is in the server's "
                "log). What was imported before it is kept; importing again carries on.",
            )
        else:
            _finish(
                run_id,
                status=RunStatus.DONE,
                summary=report.summary(),
                warnings=report.warnings,
                plan=report.lines,
                stage="Done",
            )


def _finish(run_id: int, **values) -> None:
    begin_write()
    run = db.session.get(ImportRun, run_id)
    for name, value in values.items():
        setattr(run, name, value)
    run.updated_at = run.finished_at = utcnow()
    if not run.dry_run or run.status == RunStatus.FAILED:
        _remove_upload(run)
    db.session.commit()
