"""gunicorn with the shipped deploy/gunicorn.conf.py, which imports the app once in the
master and forks each worker from it: workers recycled after a few requests (as
max_requests does) start from the master's copy with database connections of their own,
comments render in the one render server forked from the master, and every view counted
reaches the database by the clean stops of the recycled workers and of the server."""

import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from bench.run import children_of
from blog.extensions import db
from blog.models import Comment, CommentStatus, Moderation, Post
from tests.comment_helpers import change_settings
from tests.comments.test_gunicorn import (
    AGENT,
    GUNICORN,
    ROOT,
    NoRedirect,
    free_port,
    gunicorn_running,
    server_environment,
    stop_cleanly,
)

pytestmark = pytest.mark.slow
POSTS = 8


def test_recycled_workers_of_the_preloaded_app_serve_render_and_keep_every_view(
    app, make_post, tmp_path
):
    change_settings(moderation=Moderation.OPEN)
    slugs = [make_post(f"Post {number}").slug for number in range(POSTS)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_environment(
        app,
        tmp_path,
        ROUNDS_BIND=f"127.0.0.1:{port}",
        BLOG_COMMENT_MIN_SECONDS="0",
        BLOG_VIEW_FLUSH_SECONDS="3600",  # only the workers' clean stops write the views
        GUNICORN_CMD_ARGS="--max-requests 3 --max-requests-jitter 0",
    )
    log = tmp_path / "gunicorn.log"
    arguments = ["-c", "deploy/gunicorn.conf.py", "--error-logfile", str(log), "wsgi:app"]
    with gunicorn_running(arguments, env, base) as server:
        # Two workers and the render server; no worker has started a forkserver of its own.
        deadline = time.monotonic() + 30
        while len(processes := children_of(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(processes) == 3
        assert [child for pid in processes for child in children_of(pid)] == []

        jar = http.cookiejar.CookieJar()
        reader = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        reader.addheaders = [("User-Agent", AGENT)]
        for slug in slugs:
            with reader.open(f"{base}/post/{slug}", timeout=30) as response:
                page = response.read().decode()
            assert response.status == 200 and "<h1" in page
            beacon = urllib.request.Request(f"{base}/post/{slug}/seen", data=b"")
            with reader.open(beacon, timeout=30) as response:
                assert response.status == 204
        started = re.search(r'<input[^>]*name="started"[^>]*value="([^"]*)"', page)[1]
        form = {"started": started, "name": "Ann", "email": "ann@example.org",
                "body": "Does *this* apply to **children** too?", "parent_id": "",
                "website": ""}  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as sent:  # not followed: NoRedirect
            reader.open(f"{base}/post/{slugs[-1]}/comments", urllib.parse.urlencode(form).encode())
        assert sent.value.code == 303
        assert stop_cleanly(server) == 0

    logged = log.read_text()
    assert "No render server" not in logged
    booted = re.findall(r"Booting worker with pid", logged)
    assert len(booted) > 2 * 2  # the workers were recycled, more than once each
    db.session.commit()
    assert db.session.scalar(select(func.sum(Post.view_count))) == POSTS
    comment = db.session.scalars(select(Comment)).one()
    assert comment.status == CommentStatus.APPROVED
    assert "<em>this</em>" in comment.body_html and "<strong>children</strong>" in comment.body_html


def test_the_served_app_leaves_out_what_no_worker_uses(app, tmp_path):
    """wsgi.py's app has no flask commands: Alembic, the importers, the password
    checker's word lists, the web fetcher, the Markdown export's YAML, the QR code maker,
    Pillow (its image pipeline and share pictures) and (on SQLite) SQLAlchemy's
    PostgreSQL dialect are not in the memory every worker shares."""
    environment = {**server_environment(app, tmp_path), "PYTHONPATH": str(ROOT)}
    probe = (
        "import sys, wsgi; "
        "print(' '.join(name for name in ('alembic', 'flask_migrate', 'zxcvbn', 'bs4', "
        "'markdownify', 'blog.cli', 'blog.imports.importer', 'urllib3', 'yaml', "
        "'frontmatter', 'segno', 'PIL', 'sqlalchemy.dialects.postgresql') "
        "if name in sys.modules))"
    )
    loaded = subprocess.run(
        [GUNICORN.parent / "python", "-c", probe],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == ""
