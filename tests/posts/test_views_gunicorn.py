"""Views under gunicorn with the shipped config: kept in the workers' memory, and written
when gunicorn stops cleanly (its worker_exit hook)."""

import os
import signal
import subprocess
import urllib.request

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Post
from tests.comments.test_gunicorn import (
    AGENT,
    GUNICORN,
    ROOT,
    free_port,
    server_environment,
    wait_until_up,
)

pytestmark = pytest.mark.slow
POSTS = 6


def total_views() -> int:
    db.session.commit()
    return db.session.scalar(select(func.sum(Post.view_count)))


def test_a_clean_stop_writes_the_views_the_workers_kept(app, make_post, tmp_path):
    slugs = [make_post(f"Post {number}").slug for number in range(POSTS)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The writer thread waits an hour: only the stop writes the views.
    env = server_environment(
        app, tmp_path, ROUNDS_BIND=f"127.0.0.1:{port}", BLOG_VIEW_FLUSH_SECONDS="3600"
    )
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(base, server)
        for slug in slugs * 3:  # each post three times by the same reader: one view each
            request = urllib.request.Request(
                f"{base}/post/{slug}/seen", data=b"", headers={"User-Agent": AGENT}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 204
        assert total_views() == 0  # kept in the workers' memory so far
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    assert total_views() == POSTS
