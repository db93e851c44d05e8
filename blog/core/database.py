"""Engine set-up and the write-transaction rule that keeps SQLite writers from colliding.

The rule, in one place: a request with an unsafe method (POST, PUT, PATCH, DELETE) opens
every transaction as a writer, so a view never has to remember to. A GET that writes (the
view counter, a scheduled purge) and commands call ``begin_write()`` before they write.
"""

import sqlite3

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from blog.extensions import db

WRITE_OPTION = "rounds_write"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Ids are INTEGER columns: 32 bits on PostgreSQL, so a larger number can never be a row.
MAX_ID = 2**31 - 1


def configure_engine(engine: Engine) -> None:
    """SQLite: WAL, foreign keys, NORMAL sync, a busy timeout, and explicit transactions.

    pysqlite's own transaction handling is switched off so that a unit of work that will
    write can start with BEGIN IMMEDIATE: it then waits (busy_timeout) for the write lock
    instead of failing with "database is locked" when it upgrades from a read.
    """
    if engine.dialect.name != "sqlite":
        return
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


def unsafe_request() -> bool:
    """Whether this transaction serves a request that may change data."""
    return has_request_context() and request.method not in SAFE_METHODS


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


def refresh_planner_statistics() -> None:
    """SQLite: ANALYZE tables whose statistics are missing or stale, in the current write
    transaction, sampling at most 400 rows an index. PostgreSQL's autovacuum does it itself."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA analysis_limit = 400")
        connection.exec_driver_sql("PRAGMA optimize = 0x10002")  # 0x10000: every table (3.46+)
