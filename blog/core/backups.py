"""Backups of the whole site, and putting one back (`flask backup`, `flask restore`).

A backup is one folder, ``BACKUP_DIR/<UTC time>`` (e.g. ``2026-03-05T033012Z``):

- ``blog.sqlite3``: the database, copied with SQLite's online backup while the site
  serves (one consistent snapshot; writers are not stopped), checked with
  ``PRAGMA integrity_check``, and made a single file (no -wal beside it);
- ``config.py``: ``instance/config.py``, the secret key and settings;
- ``media/``: the uploaded files. A file the previous backup holds with the same name,
  size and time is a hard link to that copy (uploads never change: their names are
  content hashes), so a night costs only the new uploads, and deleting an old backup
  frees only what no other backup shares;
- ``manifest.json``: every file with its size and SHA-256, the schema revision, the
  app's version and the time.

A backup is written as ``.partial-<time>`` and renamed once it is complete and checked, so
a folder named by its time is whole. Files are 0600 and folders 0700 whatever the umask:
the database holds readers' email addresses and the password hash.

A restore checks everything first (every file's hash, the database's integrity, a schema
this version knows), refuses while any process has the database open (the site still
serving), copies the backup next to the live files, moves the live database (with its
-wal and -shm), media and config aside into ``before-restore-<time>/``, and only then
renames the copies into place: nothing is ever half restored.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pwd
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from flask import current_app

from blog.core.clock import utcnow
from blog.extensions import db

FORMAT = "rounds-backup/1"
MANIFEST = "manifest.json"
DATABASE = "blog.sqlite3"
CONFIG = "config.py"
MEDIA = "media"
STAMP = "%Y-%m-%dT%H%M%SZ"
STAMP_RE = re.compile(r"\d{4}-\d\d-\d\dT\d{6}Z")
PARTIAL = ".partial-"
# What a manifest may name: the database, the config, and files directly in media/.
MEMBER_RE = re.compile(r"(blog\.sqlite3|config\.py|media/[^/\\.][^/\\]*)")
# The SQLite files that belong to a database and must move with it.
COMPANIONS = ("-wal", "-shm", "-journal")
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
MEDIA_FILE_MODE = 0o644  # as uploads are written: nginx serves them from disk
SITE_RUNNING = (
    "The site is running: another process has the database open. Stop it first "
    "(sudo systemctl stop rounds rounds-backup.timer), then run the restore again. "
    "--force skips this check: use it only when nothing can be serving the site."
)


class BackupError(Exception):
    """A backup that can't be made or restored; the message says why and what to do."""


@dataclass
class Site:
    """Where a site's files live."""

    database: Path
    media: Path
    config: Path
    instance: Path


@dataclass
class Made:
    """What a backup run did."""

    folder: Path
    config: bool = False
    copied: int = 0
    linked: int = 0


@dataclass
class Restored:
    manifest: dict
    aside: Path
    head: bool


# -- Where things are ---------------------------------------------------------------------


def current_site() -> Site:
    """The running app's database file, media folder and instance config."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        raise BackupError(
            "backup and restore copy a SQLite database; on PostgreSQL use pg_dump and "
            "pg_restore, and copy the media folder and instance/config.py (README, Backups)."
        )
    instance = Path(current_app.instance_path)
    return Site(
        database=Path(url.database.removeprefix("file:")).absolute(),
        media=Path(current_app.config["MEDIA_DIR"]).absolute(),
        config=instance / CONFIG,
        instance=instance,
    )


def backup_root() -> Path:
    """BACKUP_DIR, or instance/backups when it is not set."""
    configured = current_app.config["BACKUP_DIR"]
    return Path(configured or Path(current_app.instance_path) / "backups").absolute()


def complete_backups(root: Path) -> list[Path]:
    """The finished backups in ``root``, oldest first."""
    if not root.is_dir():
        return []
    found = [
        path
        for path in root.iterdir()
        if STAMP_RE.fullmatch(path.name) and (path / MANIFEST).is_file()
    ]
    return sorted(found, key=lambda path: path.name)


# -- Files -------------------------------------------------------------------------------


@contextmanager
def private_files() -> Iterator[None]:
    """Whatever is created meanwhile is readable by its owner only."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def digest(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def entry(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": digest(path)}


def copy_checked(source: Path, target: Path, expected: dict, mode: int) -> None:
    """Copy a backup's file, with ``mode`` and the backup's modification time (so the next
    backup sees the media unchanged and links them); a copy that differs from the manifest
    (a disk error while copying) raises."""
    shutil.copyfile(source, target)
    os.chmod(target, mode)
    found = source.stat()
    os.utime(target, ns=(found.st_atime_ns, found.st_mtime_ns))
    if entry(target) != {"size": expected["size"], "sha256": expected["sha256"]}:
        raise BackupError(f"The copy of {source.name} differs from the backup; nothing restored.")


def sync_folder(path: Path) -> None:
    """Make a rename inside ``path`` durable."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# -- Making a backup -------------------------------------------------------------------------


@contextmanager
def backup_lock(root: Path) -> Iterator[None]:
    with open(root / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"Another backup is being written to {root}.") from None
        yield


def make_backup(root: Path) -> Made:
    """Back the site up into a new folder in ``root``; prune nothing (see ``prune``)."""
    site = current_site()
    if not site.database.is_file():
        raise BackupError(f"There is no database at {site.database}: nothing to back up.")
    with private_files():
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        with backup_lock(root):
            now = utcnow()
            final = root / now.strftime(STAMP)
            if final.exists():
                raise BackupError(f"{final} exists already; wait a second and try again.")
            work = root / (PARTIAL + final.name)
            work.mkdir(mode=0o700)
            try:
                made = fill(work, site, complete_backups(root), now)
                os.rename(work, final)
                sync_folder(root)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
    made.folder = final
    return made


def fill(work: Path, site: Site, earlier: list[Path], now: datetime) -> Made:
    made = Made(folder=work)
    revision = copy_database(site.database, work / DATABASE)
    files = {DATABASE: entry(work / DATABASE)}
    if site.config.is_file():
        shutil.copyfile(site.config, work / CONFIG)
        files[CONFIG] = entry(work / CONFIG)
        made.config = True
    previous = earlier[-1] if earlier else None
    files.update(copy_media(site.media, work, previous, made))
    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(timespec="seconds") + "Z",
        "app_version": app_version(),
        "schema_revision": revision,
        "database": {"file": DATABASE, "integrity_check": "ok"},
        "files": files,
    }
    with open(work / MANIFEST, "w", encoding="utf-8") as stream:
        json.dump(manifest, stream, indent=1, sort_keys=True)
        stream.flush()
        os.fsync(stream.fileno())
    return made


def copy_database(source_path: Path, target_path: Path) -> str | None:
    """SQLite's online backup into ``target_path``, checked; its schema revision."""
    timeout = float(current_app.config["SQLITE_BUSY_TIMEOUT"])
    source = sqlite3.connect(source_path, timeout=timeout)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)  # in one step: a single read transaction, a consistent copy
        target.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
        check_integrity(target, "The copy of the database")
        return schema_revision(target)
    finally:
        target.close()
        source.close()


def check_integrity(connection: sqlite3.Connection, what: str) -> None:
    try:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{what} is not a readable SQLite database ({error}).") from None
    if found != ["ok"]:
        raise BackupError(f"{what} failed SQLite's integrity check: {'; '.join(found[:3])}")


def schema_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # never migrated
        return None
    return row[0] if row else None


def copy_media(source: Path, work: Path, previous: Path | None, made: Made) -> dict:
    """Copy the media files, or hard-link those the previous backup holds unchanged."""
    (work / MEDIA).mkdir(mode=0o700)
    if not source.is_dir():  # a site without uploads
        return {}
    before = read_manifest(previous)["files"] if previous else {}
    files = {}
    for path in sorted(source.iterdir()):
        name = f"{MEDIA}/{path.name}"
        if not MEMBER_RE.fullmatch(name) or not path.is_file():
            continue  # an upload being written (.upload-…), or something that isn't media
        target = work / name
        if previous is not None and name in before and linked(previous / name, path, target):
            files[name] = before[name]
            made.linked += 1
            continue
        shutil.copy2(path, target)  # keeps the time, which the next night compares
        os.chmod(target, 0o600)
        files[name] = entry(target)
        made.copied += 1
    return files


def linked(earlier: Path, live: Path, target: Path) -> bool:
    """Hard-link the previous backup's copy when it is the same file (name, size, time)."""
    try:
        old, new = earlier.stat(), live.stat()
        if (old.st_size, old.st_mtime_ns) != (new.st_size, new.st_mtime_ns):
            return False
        os.link(earlier, target)
    except OSError:  # gone, another filesystem, too many links: copy instead
        return False
    return True


def app_version() -> str:
    try:
        return metadata.version("rounds")
    except metadata.PackageNotFoundError:
        return "unknown"


def prune(root: Path, keep_days: float) -> list[Path]:
    """Delete backups older than ``keep_days`` (never the newest), and unfinished ones
    left by a run that died more than a day ago."""
    now = utcnow()
    backups = complete_backups(root)
    removed = []
    for folder in backups[:-1]:
        if now - datetime.strptime(folder.name, STAMP) > timedelta(days=keep_days):
            shutil.rmtree(folder)
            removed.append(folder)
    for folder in root.glob(PARTIAL + "*"):
        with suppress(ValueError):
            started = datetime.strptime(folder.name.removeprefix(PARTIAL), STAMP)
            if now - started > timedelta(days=1):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


# -- Checking a backup -----------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} is not a backup: it has no {MANIFEST} (a backup still being "
            f"written, or one that failed, is named {PARTIAL}…)."
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        ok = manifest.get("format") == FORMAT and DATABASE in files
        ok = ok and all(
            isinstance(item, dict)
            and isinstance(item.get("size"), int)
            and isinstance(item.get("sha256"), str)
            for item in files.values()
        )
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise BackupError(f"{path} is not a backup manifest this version can read.")
    return manifest


def verify(folder: Path) -> dict:
    """The manifest of a whole, untampered backup whose schema this version knows."""
    manifest = read_manifest(folder)
    problems = []
    for name, expected in manifest["files"].items():
        path = folder / name
        if not MEMBER_RE.fullmatch(name):
            problems.append(f"{name!r} is not a file a backup holds")
        elif not path.is_file():
            problems.append(f"{name} is missing")
        elif entry(path) != {"size": expected["size"], "sha256": expected["sha256"]}:
            problems.append(f"{name} does not match its checksum")
    if problems:
        shown = "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else "")
        raise BackupError(f"The backup is damaged or was changed; nothing was restored: {shown}.")
    # immutable: read the file as it is, creating no -wal or -shm in the backup folder
    copy = sqlite3.connect(f"file:{quote(str(folder / DATABASE))}?mode=ro&immutable=1", uri=True)
    try:
        check_integrity(copy, "The backup's database")
        revision = schema_revision(copy)
    finally:
        copy.close()
    if revision is None or revision not in known_revisions():
        raise BackupError(
            f"The backup's database has schema revision {revision}, which this version of "
            "Rounds does not know (a backup made by a newer version?): install that version, "
            "then restore."
        )
    return manifest


def known_revisions() -> set[str]:
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    return {revision.revision for revision in script.walk_revisions()}


def head_revision() -> str | None:
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


# -- Restoring -------------------------------------------------------------------------------


def database_in_use(path: Path) -> bool:
    """Whether another connection, in any process, has the database open.

    A WAL-mode connection holds a shared lock for as long as it is open, even idle, so a
    connection that asks for the exclusive locking mode is refused while any other exists.
    """
    if not path.exists():
        return False
    probe = sqlite3.connect(path, timeout=0.2)
    try:
        probe.isolation_level = None
        probe.execute("PRAGMA locking_mode = EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("ROLLBACK")
    except sqlite3.DatabaseError as error:
        # Busy or locked: someone has it open. Anything else: the live database is broken
        # and no one can be using it (restoring over it is the point).
        return getattr(error, "sqlite_errorcode", 0) & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
    finally:
        probe.close()
    return False


def check_user(site: Site) -> None:
    """Refuse to write files the site's own user could not use (a restore run as root)."""
    owner = site.instance.stat().st_uid
    if os.geteuid() != owner:
        try:
            name = pwd.getpwuid(owner).pw_name
        except KeyError:
            name = str(owner)
        raise BackupError(
            f"Run the restore as the site's user, who owns {site.instance}: "
            f"sudo -u {name} .venv/bin/flask --app blog restore …"
        )


def restore(folder: Path, force: bool = False) -> Restored:
    """Put the backup in ``folder`` in place of the site's database, media and config."""
    site = current_site()
    check_user(site)
    manifest = verify(folder)
    db.engine.dispose()  # this process's own connections
    if not force and database_in_use(site.database):
        raise BackupError(SITE_RUNNING)
    stamp = utcnow().strftime(STAMP)
    with private_files():
        staged = stage(folder, manifest, site, stamp)
        moves: list[tuple[Path, Path]] = []
        try:
            aside = site.instance / f"before-restore-{stamp}"
            aside.mkdir(mode=0o700)
            move_aside(site, aside, has_config=CONFIG in manifest["files"], moves=moves)
            for source, target in staged:
                os.replace(source, target)
                moves.append((source, target))
        except BaseException:
            for source, target in reversed(moves):
                with suppress(OSError):
                    shutil.move(target, source)
            for source, _ in staged:
                remove(source)
            raise
    db.engine.dispose()
    revision = manifest.get("schema_revision")
    return Restored(manifest=manifest, aside=aside, head=revision == head_revision())


def stage(folder: Path, manifest: dict, site: Site, stamp: str) -> list[tuple[Path, Path]]:
    """Copy the backup next to each live file (the same filesystem, so the switch is a
    rename); (copy, live path) pairs. A failure removes the copies and raises."""
    prefix = f".restore-{stamp}-"
    database = site.database.parent / (prefix + DATABASE)
    media = site.media.parent / (prefix + MEDIA)
    staged = [(database, site.database), (media, site.media)]
    if CONFIG in manifest["files"]:
        staged.append((site.instance / (prefix + CONFIG), site.config))
    try:
        database_mode = site.database.stat().st_mode & 0o777 if site.database.exists() else 0o640
        copy_checked(folder / DATABASE, database, manifest["files"][DATABASE], database_mode)
        media_mode = site.media.stat().st_mode & 0o777 if site.media.is_dir() else 0o750
        media.parent.mkdir(parents=True, exist_ok=True)
        media.mkdir(mode=0o700)
        for name, expected in manifest["files"].items():
            if name.startswith(MEDIA + "/"):
                target = media / name.removeprefix(MEDIA + "/")
                copy_checked(folder / name, target, expected, MEDIA_FILE_MODE)
        os.chmod(media, media_mode)
        if CONFIG in manifest["files"]:
            copy_checked(folder / CONFIG, staged[2][0], manifest["files"][CONFIG], 0o600)
    except BaseException:
        for source, _ in staged:
            remove(source)
        raise
    return staged


def move_aside(site: Site, aside: Path, has_config: bool, moves: list) -> None:
    """Move the live database with its -wal/-shm, the media and the config into ``aside``."""
    live = [site.database, *(Path(f"{site.database}{suffix}") for suffix in COMPANIONS)]
    live.append(site.media)
    if has_config:
        live.append(site.config)
    for path in live:
        if path.exists():
            target = aside / path.name
            shutil.move(path, target)
            moves.append((path, target))


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
