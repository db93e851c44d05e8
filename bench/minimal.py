"""The yardstick: a minimal Flask + SQLite app that serves stored HTML through Jinja.

    BENCH_PAGES=/tmp/pages.sqlite3 gunicorn -w 2 bench.minimal:app

Each request reads one page's HTML from SQLite (a connection per worker, one query) and
renders it through a Jinja template: about the least a Python web app can do for a page,
so Rounds' figures divided by this app's say what Rounds' own work costs.
"""

import os
import sqlite3
import threading

from flask import Flask, abort, render_template_string, request

TEMPLATE = "{{ page|safe }}"
SCHEMA = "CREATE TABLE IF NOT EXISTS pages (path TEXT PRIMARY KEY, type TEXT, html TEXT)"


def store_pages(database: str, pages: dict[str, tuple[str, str]]) -> None:
    """Write ``pages`` ({path: (content type, html)}) for the app to serve."""
    with sqlite3.connect(database) as connection:
        connection.execute(SCHEMA)
        connection.executemany(
            "INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
            [(path, kind, html) for path, (kind, html) in pages.items()],
        )
    connection.close()


def create_app(database: str | None = None) -> Flask:
    app = Flask(__name__)
    database = database or os.environ["BENCH_PAGES"]
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "connection"):
            local.connection = sqlite3.connect(database, check_same_thread=False)
        return local.connection

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def page(path: str):
        row = (
            connection()
            .execute("SELECT type, html FROM pages WHERE path = ?", ("/" + path,))
            .fetchone()
        )
        if row is None:
            abort(404)
        kind, html = row
        body = render_template_string(TEMPLATE, page=html, path=request.path)
        return body, 200, {"Content-Type": kind}

    return app


if os.environ.get("BENCH_PAGES"):
    app = create_app()
