"""Engine set-up and the write-transaction rule that keeps SQLite writers from colliding.

The rule, in one place: a request with an unsafe method (POST, PUT, PATCH, DELETE) opens
every transaction as a writer, so a view never has to remember to. A GET that writes (the
view counter, a scheduled purge) and commands call ``begin_write()`` before they write.

A write the database or the disk refuses (read-only, full, failing, or locked past the
busy timeout) is raised as ``CannotWrite``, whatever the driver's own error, so the error
pages can tell "can't save right now" from a bug; reading goes on as before.
"""

import errno
import os
import sqlite3
import weakref

from flask import current_app, g, has_request_context, request
from sqlalchemy import event, exc, func, select
from sqlalchemy.engine import Engine

from blog.extensions import db

WRITE_OPTION = "rounds_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Ids are INTEGER columns: 32 bits on PostgreSQL, so a larger number can never be a row.
MAX_ID = 2**31 - 1

# SQLite result codes that refuse a write: BUSY, LOCKED, READONLY, IOERR, FULL.
SQLITE_READONLY = 8
SQLITE_REFUSALS = frozenset({5, 6, SQLITE_READONLY, 10, 13})
SQLITE_REFUSAL_TEXT = ("readonly database", "disk is full", "disk i/o error", "is locked")
# PostgreSQL SQLSTATEs: a read-only transaction (a standby, default_transaction_read_only),
# and class 53, insufficient resources (disk full, out of memory, too many connections).
POSTGRES_REFUSALS = ("25006", "53")
# A file that can't be written: no space, over quota, a read-only filesystem, no permission.
DISK_REFUSALS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES})


class CannotWrite(Exception):
    """The database or the disk refuses to store anything right now; reading still works."""


def refuses_writes(error: BaseException) -> bool:
    """Whether a driver or file error means "nothing can be stored", not a bug."""
    if isinstance(error, OSError):
        return error.errno in DISK_REFUSALS
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in SQLITE_REFUSALS
        return any(words in str(error).lower() for words in SQLITE_REFUSAL_TEXT)
    state = getattr(error, "sqlstate", None) or ""  # psycopg
    return state.startswith(POSTGRES_REFUSALS)


# Engines whose database refused a write as read-only and has not been written since.
READ_ONLY_SEEN: weakref.WeakSet = weakref.WeakSet()


def configure_engine(engine: Engine) -> None:
    """Refused writes raised as CannotWrite; on SQLite: WAL, foreign keys, NORMAL sync, a
    busy timeout, and explicit transactions.

    SQLite opens a file it may not write read-only, and such a connection stays read-only
    for its life. So once a write was refused as read-only, every request gets a freshly
    opened connection until a write succeeds again: the site saves again as soon as the
    file or its disk is writable, with no restart.

    pysqlite's own transaction handling is switched off so that a unit of work that will
    write can start with BEGIN IMMEDIATE: it then waits (busy_timeout) for the write lock
    instead of failing with "database is locked" when it upgrades from a read.
    """
    event.listen(engine, "handle_error", raise_cannot_write)
    # A process forked from this one (a gunicorn worker of the preloaded app) opens its own
    # connections: the pool it inherits is emptied without closing the parent's.
    engine_ref = weakref.ref(engine)
    os.register_at_fork(after_in_child=lambda: forget_connections(engine_ref()))
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", lambda _connection, record: record.info.update(fresh=True))

    @event.listens_for(engine, "checkout")
    def reopen_while_read_only(_dbapi_connection, record, _proxy):
        """After a read-only refusal, a connection opened before this checkout is dropped
        (the pool opens a new one in its place)."""
        if not record.info.pop("fresh", False) and engine in READ_ONLY_SEEN:
            raise exc.DisconnectionError("opened while the database was read-only")

    @event.listens_for(engine, "commit")
    def written(connection):
        if connection.get_execution_options().get(WRITE_OPTION) or unsafe_request():
            READ_ONLY_SEEN.discard(engine)

    timeout_ms = int(float(current_app.config["SQLITE_BUSY_TIMEOUT"]) * 1000)

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get(WRITE_OPTION) or unsafe_request()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def forget_connections(engine: Engine | None) -> None:
    if engine is not None:
        engine.dispose(close=False)


def raise_cannot_write(context) -> None:
    """An engine's handle_error hook: a refused write becomes CannotWrite."""
    original = context.original_exception
    if refuses_writes(original):
        if getattr(original, "sqlite_errorcode", 0) & 0xFF == SQLITE_READONLY:
            READ_ONLY_SEEN.add(context.engine)
        raise CannotWrite(str(original)) from original


def unsafe_request() -> bool:
    """Whether this transaction serves a request that may change data (and still may)."""
    return has_request_context() and request.method not in SAFE_METHODS and not g.get("reads_only")


def reads_only() -> None:
    """After a refused write: the rest of this request only reads (to show the page again
    with what was sent), so its transactions no longer wait for the write lock."""
    g.reads_only = True


def begin_write() -> None:
    """Start the session's transaction as a writer (call before the first query).

    On SQLite this takes the write lock up front; elsewhere it is a plain transaction.
    If a transaction is already open it is committed first, so call it at the top of a
    unit of work, not in the middle of one.
    """
    session = db.session()
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


def upsert_for_dialect(connection=None):
    """The insert() with ON CONFLICT clauses of the database in use (SQLite, PostgreSQL).
    Imported here: a site on SQLite never loads SQLAlchemy's PostgreSQL dialect."""
    dialect = (connection or db.session.get_bind()).dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def refresh_planner_statistics() -> None:
    """SQLite: ANALYZE tables whose statistics are missing or stale, in the current write
    transaction, sampling at most 400 rows an index. PostgreSQL's autovacuum does it itself."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 400")
        connection.exec_driver_sql("PRAGMA optimize = 0x10002")  # 0x10000: every table (3.46+)


def count_by(column, values) -> dict[str, int]:
    """How many rows hold each of ``values`` in ``column`` (an enumerated column), zeros
    included."""
    rows = db.session.execute(select(column, func.count()).group_by(column)).all()
    counts = dict.fromkeys(values, 0)
    counts.update({value: count for value, count in rows})
    return counts
