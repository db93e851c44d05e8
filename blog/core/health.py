"""The health check's findings: does the database answer, can it store anything, and is
there room left on the disks that hold the database and the media?

A monitor alerts on the status code (200 or 503); the JSON body says what is wrong.
"""

import shutil
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from blog.core.database import WRITE_OPTION, CannotWrite
from blog.extensions import db


def database_writable() -> bool:
    """Try a write that changes nothing, in a transaction rolled back: SQLite rewrites the
    header's user_version with its own value (refused on a read-only file); PostgreSQL is
    asked whether its transactions are read-only (a standby or default_transaction_read_only).
    A full disk passes this test: the write never reaches the disk; ``free_megabytes`` sees it.
    """
    with db.engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        try:
            with connection.begin() as transaction:
                if connection.dialect.name == "sqlite":
                    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar())
                    connection.exec_driver_sql(f"PRAGMA user_version = {version}")
                    writable = True
                else:
                    read_only = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
                    writable = read_only == "off"
                transaction.rollback()
        except CannotWrite:
            return False
    return writable


def watched_folders() -> dict[str, Path]:
    """The folders whose disks must have room: the SQLite database's and the media's."""
    folders = {"media": Path(current_app.config["MEDIA_DIR"])}
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database:
        folders["database"] = Path(url.database.removeprefix("file:")).parent
    return folders


def free_megabytes(folder: Path) -> int:
    """Free space for an unprivileged user on the disk holding ``folder`` (or its parent,
    before the folder exists)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free // (1024 * 1024)


def report() -> tuple[dict, int]:
    """(the JSON body, the status code): 200 when everything is fine, 503 otherwise."""
    problems = []
    database = {"answers": False, "writable": False}
    try:
        db.session.execute(text("SELECT 1"))
        database["answers"] = True
        database["writable"] = database_writable()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        problems.append("the database does not answer")
    else:
        if not database["writable"]:
            problems.append("the database is read-only: nothing can be saved")
    minimum = int(current_app.config["HEALTH_MIN_FREE_MB"])
    disk = {name: {"free_mb": free_megabytes(path)} for name, path in watched_folders().items()}
    for name, found in disk.items():
        if found["free_mb"] < minimum:
            problems.append(f"the {name} disk has {found['free_mb']} MB free (under {minimum} MB)")
    body = {
        "status": "unavailable" if problems else "ok",
        "problems": problems,
        "database": database,
        "disk": disk,
        "min_free_mb": minimum,
    }
    return body, 503 if problems else 200
