"""Every request that writes starts its transaction with BEGIN IMMEDIATE (begin_write()).

On SQLite a transaction that reads first and writes later cannot wait for the lock: when
another writer got there first it fails at once with "database is locked", a 500. This
records the SQL of real requests and names any write made in a plain BEGIN transaction.
"""

import pytest
from sqlalchemy import event

from blog.extensions import db
from blog.models import CommentStatus, Moderation
from tests.comment_helpers import BROWSER, FAST_FORMS, change_settings, post_comment
from tests.conftest import sign_in
from tests.media_samples import image_bytes, upload

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.fixture
def unlocked_writes(app):
    """Statements that wrote inside a transaction not begun as a writer."""
    found: list[str] = []
    state = {"immediate": False, "watching": False}

    def spy(_conn, _cursor, statement, _params, _context, _many):
        words = statement.lstrip().upper()
        if words.startswith("BEGIN"):
            state["immediate"] = "IMMEDIATE" in words
        elif state["watching"] and words.startswith(WRITES) and not state["immediate"]:
            found.append(statement.split("\n")[0][:80])

    event.listen(db.engine, "before_cursor_execute", spy)
    yield found, state
    event.remove(db.engine, "before_cursor_execute", spy)


def watched(state, request):
    state["watching"] = True
    try:
        return request()
    finally:
        state["watching"] = False


def test_author_and_reader_write_paths_take_the_write_lock_first(
    client, author, make_post, make_comment, unlocked_writes
):
    found, state = unlocked_writes
    change_settings(moderation=Moderation.HOLD_ALL)
    post = make_post("Sleep", tags="rest")
    pending = make_comment(post, status=CommentStatus.PENDING)
    reader = client.application.test_client()
    requests = [
        lambda: reader.get("/post/sleep", headers=BROWSER),
        lambda: post_comment(reader, post),
        lambda: reader.post("/post/sleep/like", headers=BROWSER),
    ]
    for request in requests:
        assert watched(state, request).status_code < 400
    sign_in(client, author)
    author_requests = [
        lambda: client.post(
            "/admin/password",
            data={
                "current": "correct horse battery",
                "password": "a new long passphrase",
                "confirm": "a new long passphrase",
            },
            headers=BROWSER,
        ),
        lambda: client.post(
            "/admin/settings",
            data={"site_title": "S", "timezone": "UTC", "name": "N"},
            headers=BROWSER,
        ),
        lambda: client.post(
            f"/admin/posts/{post.id}/edit",
            data={"title": "Sleep", "body": "New", "status": "published"},
            headers=BROWSER,
        ),
        lambda: client.post(
            "/admin/posts/autosave",
            data={"post_id": str(post.id), "title": "Sleep", "body": "Newer"},
            headers=BROWSER,
        ),
        lambda: client.post(f"/admin/comments/{pending.id}/approve", headers=BROWSER),
        lambda: upload(client, image_bytes(), headers=BROWSER),
        lambda: client.post(f"/admin/posts/{post.id}/review-links", headers=BROWSER),
        lambda: client.post("/admin/review-links/1/revoke", headers=BROWSER),
        lambda: client.post(f"/admin/posts/{post.id}/reviewed", headers=BROWSER),
        lambda: client.post(f"/admin/posts/{post.id}/delete", headers=BROWSER),
        lambda: client.post(f"/admin/posts/{post.id}/restore", headers=BROWSER),
    ]
    for request in author_requests:
        response = watched(state, request)
        assert response.status_code < 400, response.request.path
    assert found == []
