"""Reading never fails because writing does: a read-only database or a full disk.

Readers get every page; the author's save and a reader's comment get a 503 that says the
site can't save right now, with the text they sent kept; the health check says which
part is failing, with a 503 a monitor can alert on.
"""

import errno
import shutil
import sqlite3
from collections import namedtuple
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event

from blog import create_app
from blog.accounts import sessions
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Comment, Post
from tests.comment_helpers import BROWSER, FAST_FORMS, form_data
from tests.conftest import IsolatedClient, base_config, page_text
from tests.media_samples import image_bytes, upload

READER_PAGES = (
    "/", "/post/salt", "/tag/heart", "/tag/heart/feed.xml", "/archive", "/search?q=salt",
    "/about", "/feed.xml", "/sitemap.xml", "/robots.txt", "/?page=1",
)  # fmt: skip
EDITOR_TEXT = "Salt is in bread.\n\nThis paragraph must survive a full disk."
COMMENT_TEXT = "Does this apply to sea salt too? Asking for my father."


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.fixture
def site(app, author, make_post, make_comment):
    """A post with a tag and a comment, and a session for the author (started while the
    database could still be written)."""
    post = make_post("Salt", body="Salt *matters*.", tags="Heart", author=author)
    make_comment(post, body="Helpful, thanks.")
    sessions.start(author, False, BROWSER["User-Agent"])
    db.session.commit()
    return post


def signed_in(client, author):
    """The author's session (see ``site``) in the client's cookie."""
    with client.session_transaction() as session:
        session["_user_id"] = author.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture(autouse=True)
def views_not_counted(monkeypatch):
    """Counting a page view is the view counter's subject, not these tests'."""
    monkeypatch.setattr("blog.public.views.record_view", lambda post_id: None, raising=False)


@pytest.fixture
def read_only(app, site, tmp_path):
    """The same site, its database opened read-only (as after `chmod a-w`, or a disk
    remounted read-only): an app and a client on it."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    config = base_config(tmp_path / "unused.sqlite3", tmp_path)
    config.update(FAST_FORMS, SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{path}?mode=ro&uri=true")
    stuck = create_app(config)
    stuck.test_client_class = IsolatedClient
    yield stuck
    with stuck.app_context():
        db.engine.dispose()


@pytest.fixture
def full_disk(app, site):
    """Every write the database is asked for fails as SQLite fails on a full disk."""

    def refuse(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")

    event.listen(db.engine, "before_cursor_execute", refuse)
    yield app
    event.remove(db.engine, "before_cursor_execute", refuse)


@pytest.fixture(params=["read_only", "full_disk"])
def failing(request, app):
    """The site with writes failing, each way."""
    return request.getfixturevalue(request.param)


def test_readers_get_every_page_while_writes_fail(failing):
    client = failing.test_client()
    for url in READER_PAGES:
        response = client.get(url, headers=BROWSER)
        assert response.status_code == 200, url
    page = page_text(client.get("/post/salt", headers=BROWSER))
    assert "Salt <em>matters</em>" in page and "Helpful, thanks." in page


def test_the_authors_save_is_a_503_that_keeps_her_text(failing, author):
    client = signed_in(failing.test_client(), author)
    assert client.get("/admin/", headers=BROWSER).status_code == 200  # reading her pages works
    post_id = db.session.scalar(db.select(Post.id))
    assert client.get(f"/admin/posts/{post_id}/edit", headers=BROWSER).status_code == 200
    data = {"title": "Salt, revised", "body": EDITOR_TEXT, "status": "draft"}
    data.update(audience="patients", medical="y")
    response = client.post(f"/admin/posts/{post_id}/edit", data=data, headers=BROWSER)
    assert response.status_code == 503
    page = page_text(response)
    assert "The site can't save right now" in page and "Your text is kept here" in page
    assert EDITOR_TEXT in page and 'value="Salt, revised"' in page

    script = client.post(
        f"/admin/posts/{post_id}/edit", data=data, headers={**BROWSER, "X-Requested-With": "fetch"}
    )
    assert script.status_code == 503
    assert script.get_json()["error"].startswith("The site can't save right now")
    autosave = client.post(
        "/admin/posts/autosave",
        data={"title": "Salt", "body": EDITOR_TEXT, "post_id": str(post_id)},
        headers={**BROWSER, "X-Requested-With": "fetch"},
    )
    assert autosave.status_code == 503 and "can't save" in autosave.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Post, post_id).body_md == "Salt *matters*."


def test_a_comment_is_a_503_that_keeps_the_readers_text(failing, site):
    client = failing.test_client()
    client.get("/post/salt", headers=BROWSER)
    response = client.post(
        "/post/salt/comments",
        data=form_data(site, name="Ahmed", body=COMMENT_TEXT),
        headers=BROWSER,
    )
    assert response.status_code == 503
    page = page_text(response)
    assert "The site can't save comments right now" in page
    assert COMMENT_TEXT in page and 'value="Ahmed"' in page
    assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1


def test_an_upload_onto_a_full_disk_is_a_503_with_a_message(author_client, monkeypatch):
    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("blog.posts.images.tempfile.mkstemp", no_space)
    response = upload(author_client, image_bytes((300, 200)))
    assert response.status_code == 503
    assert response.get_json()["error"].startswith("The site can't save right now")


def test_the_author_reads_her_pages_when_her_session_cannot_be_touched(read_only, author):
    """Her session's last activity is written every few minutes; a refusal is skipped."""
    client = signed_in(read_only.test_client(), author)
    with time_machine.travel(utcnow() + timedelta(minutes=30)):
        assert client.get("/admin/", headers=BROWSER).status_code == 200
        assert client.get("/admin/settings", headers=BROWSER).status_code == 200


def test_other_pages_that_write_say_the_site_cannot_save(read_only, site):
    """A like (no text to keep) gets the site's own 503 page, never a 500."""
    client = read_only.test_client()
    client.get("/post/salt", headers=BROWSER)
    client.post("/post/salt/like", headers=BROWSER)  # the first press only sets the cookie
    response = client.post("/post/salt/like", headers=BROWSER)
    assert response.status_code == 503
    assert "The site can't save right now" in page_text(response)


# -- /healthz ---------------------------------------------------------------------------


def test_healthz_reports_a_writable_database_and_free_disk(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["problems"] == []
    assert body["database"] == {"answers": True, "writable": True}
    assert set(body["disk"]) == {"database", "media"} and body["min_free_mb"] == 200
    assert all(found["free_mb"] > 0 for found in body["disk"].values())
    assert response.headers["Cache-Control"] == "no-cache, private"


def test_healthz_is_503_when_the_database_is_read_only(read_only):
    response = read_only.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"answers": True, "writable": False}
    assert body["problems"] == ["the database is read-only: nothing can be saved"]


def test_healthz_is_503_when_a_disk_is_nearly_full(client, app, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**10, 10**10, 50 * 2**20))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"]["writable"] is True
    assert "the media disk has 50 MB free (under 200 MB)" in body["problems"]
    assert body["disk"]["database"] == {"free_mb": 50}


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["problems"] == ["the database does not answer"]


def test_the_site_saves_again_once_the_database_can_be_written_without_a_restart(app, site):
    """Connections opened while the file could not be written are read-only for as long as
    they live: the first refused write drops them all, so fixing the file (or the disk)
    is enough, as the README says."""
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    stuck = True

    def open_connection(_dialect, _record, cargs, cparams):
        if stuck:  # as SQLite opens a file it may not write: read-only, for good
            return sqlite3.connect(f"file:{path}?mode=ro", uri=True, **cparams)
        return None

    with app.app_context():
        db.engine.dispose()
        event.listen(db.engine, "do_connect", open_connection)
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    assert client.get("/post/salt", headers=BROWSER).status_code == 200
    refused = client.post("/post/salt/comments", data=form_data(site), headers=BROWSER)
    assert refused.status_code == 503

    stuck = False  # chmod u+w, or the disk remounted read-write
    assert client.get("/healthz").status_code == 200
    saved = client.post("/post/salt/comments", data=form_data(site), headers=BROWSER)
    assert saved.status_code == 303
