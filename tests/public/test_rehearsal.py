"""Each kind of reader's page is served once in gunicorn's master before it forks
(blog.public.rehearsal, called by warm): the workers then share what those first pages
made, and the first reader after a restart gets the page from memory."""

import logging
import time
from datetime import timedelta

import pytest
import time_machine
from flask import request_started
from sqlalchemy import text

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus
from blog.public.rehearsal import rehearse

READER_PAGES = [
    "/post/salt",
    "/",
    "/archive",
    "/about",
    "/feed.xml",
    "/sitemap.xml",
    "/search?q=salt",
    "/tag/heart",
]


@pytest.fixture
def site(make_post):
    make_post("Potassium", tags="Kidneys", published_at=utcnow() - timedelta(days=2))
    make_post("Salt", tags="Heart, Kidneys")
    make_post("Unfinished", status=PostStatus.DRAFT)


@pytest.fixture
def flask_answered(app):
    seen: list[str] = []

    def note(_sender, **_extra):
        from flask import request

        seen.append(request.path)

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def test_every_kind_of_reader_page_is_served_once_from_the_newest_post(app, site):
    assert rehearse(app) == [(path, 200) for path in READER_PAGES]


@time_machine.travel(time.time() // 60 * 60 + 1)  # the comment form's start time: one minute
def test_the_first_reader_after_a_start_gets_the_pages_from_memory(app, site, flask_answered):
    rehearse(app)
    rehearsed = list(flask_answered)
    reader = app.test_client()
    for path in READER_PAGES:
        response = reader.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and not response.headers.getlist("Set-Cookie")
    assert flask_answered == rehearsed  # none of the readers' requests reached Flask


def test_pages_are_asked_for_at_the_sites_own_address(app, site, flask_answered):
    app.config["SITE_URL"] = "https://clinic.example.org/"
    app.config["TRUSTED_HOSTS"] = ["clinic.example.org"]
    assert {status for _path, status in rehearse(app)} == {200}
    reader = app.test_client()
    reader.get("/post/salt", base_url="https://clinic.example.org")
    assert flask_answered.count("/post/salt") == 1


@pytest.mark.parametrize(
    "config_overrides", [{"RATELIMIT_ENABLED": True, "SEARCH_RATE_LIMIT": "1 per hour"}]
)
def test_its_search_counts_against_no_limit_and_no_connection_is_left_open(app, site):
    rehearse(app)
    assert db.engine.pool.checkedout() == 0
    reader = app.test_client()  # the same address as the rehearsal's
    assert reader.get("/search?q=potassium").status_code == 200
    assert reader.get("/search?q=kidneys").status_code == 429


def test_a_site_with_no_public_post_yet_is_left_alone(app, make_post, flask_answered):
    make_post("Unfinished", status=PostStatus.DRAFT)
    assert rehearse(app) == []
    assert flask_answered == []


def test_a_failure_never_stops_the_site_from_starting(app, site, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a page that can't be asked for")

    monkeypatch.setattr(app, "test_client", broken)
    assert rehearse(app) == []
    assert "not served before the workers start" in caplog.text
    assert db.engine.pool.checkedout() == 0


def test_a_database_not_created_yet_is_left_alone_quietly(app, caplog):
    db.session.execute(text("DROP TABLE posts"))
    db.session.commit()
    with caplog.at_level(logging.INFO):
        assert rehearse(app) == []
    assert "not served before the workers start" in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
