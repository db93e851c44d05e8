"""Views under gunicorn with the shipped config: kept in the workers' memory, and written
when gunicorn stops cleanly (its worker_exit hook)."""

import urllib.request

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Post
from tests.comments.test_gunicorn import (
    AGENT,
    free_port,
    gunicorn_running,
    server_environment,
    stop_cleanly,
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
    with gunicorn_running(["-c", "deploy/gunicorn.conf.py", "wsgi:app"], env, base) as server:
        for slug in slugs * 3:  # each post three times by the same reader: one view each
            request = urllib.request.Request(
                f"{base}/post/{slug}/seen", data=b"", headers={"User-Agent": AGENT}
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 204
        assert total_views() == 0  # kept in the workers' memory so far
        assert stop_cleanly(server) == 0
    assert total_views() == POSTS
