"""The anonymous post page is the same for every reader, so caches may share it; a reader
with their own cookie and the signed-in author get pages of their own."""

import time

import pytest
import time_machine

from blog.models import CommentStatus, Moderation
from tests.comment_helpers import (
    BROWSER,
    FAST_FORMS,
    change_settings,
    comments_section,
    like_twice,
    post_comment,
)
from tests.conftest import sign_in

PUBLIC = "public, max-age=60, stale-while-revalidate=30"


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


def within_one_minute():
    """The clock stopped early in the next minute (the comment form's start time)."""
    return time_machine.travel((time.time() // 60 + 1) * 60 + 1, tick=False)


def test_the_anonymous_post_page_is_public_with_an_etag_and_304(client, make_post):
    make_post("Shared")
    with within_one_minute():
        first = client.get("/post/shared", headers=BROWSER)
        second = client.get("/post/shared")
        assert first.status_code == 200
        assert first.headers["Cache-Control"] == PUBLIC
        assert "Cookie" in first.headers["Vary"]
        assert first.headers.getlist("Set-Cookie") == []
        etag = first.headers["ETag"]
        assert second.headers["ETag"] == etag  # the same page for everyone this minute
        again = client.get("/post/shared", headers={**BROWSER, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["Cache-Control"] == PUBLIC


def test_the_etag_changes_when_what_the_page_shows_changes(client, make_post, make_comment):
    post = make_post("Shared")
    with within_one_minute():
        etag = client.get("/post/shared").headers["ETag"]
        make_comment(post, body="A new approved comment")
        fresh = client.get("/post/shared", headers={"If-None-Match": etag})
        assert fresh.status_code == 200 and "A new approved comment" in fresh.text


def test_a_reader_with_their_cookie_gets_their_own_page_never_shared(app, client, make_post):
    change_settings(moderation=Moderation.HOLD_ALL)
    post = make_post("Mine")
    post_comment(client, post, body="My question, waiting")
    own = client.get("/post/mine", headers=BROWSER)
    assert own.headers["Cache-Control"] == "no-cache, private"
    assert "Cookie" in own.headers["Vary"] and "ETag" not in own.headers
    assert "My question, waiting" in comments_section(own.text)
    stranger = app.test_client().get("/post/mine", headers=BROWSER)
    assert stranger.headers["Cache-Control"] == PUBLIC
    assert "My question, waiting" not in stranger.text


def test_a_reader_who_liked_sees_it_on_their_page(client, make_post):
    make_post("Liked")
    like_twice(client, "liked")
    page = client.get("/post/liked")
    assert page.headers["Cache-Control"] == "no-cache, private"
    assert 'aria-pressed="true"' in page.text and ">Liked</span>" in page.text


def test_a_made_up_reader_cookie_gets_the_shared_page(client, make_post, make_comment):
    post = make_post("Shared")
    make_comment(post, body="Held", status=CommentStatus.PENDING)
    client.set_cookie("rounds_reader", "x" * 43)
    page = client.get("/post/shared")
    assert page.headers["Cache-Control"] == PUBLIC and "Held" not in page.text


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_the_signed_in_author_gets_her_own_page_stored_nowhere(client, make_post, author):
    make_post("Hers", author=author)
    sign_in(client, author)
    page = client.get("/post/hers", headers=BROWSER)
    assert page.headers["Cache-Control"] == "no-store"
    assert "ETag" not in page.headers
    assert 'href="/admin/"' in page.text  # her way back to the dashboard
    assert 'name="csrf_token"' in page.text  # her session's token, checked on her posts


@pytest.mark.parametrize("path", ["/", "/tag/heart", "/archive", "/about"])
def test_listing_pages_are_public_with_an_etag_too(client, make_post, path):
    make_post("Listed", tags="Heart")
    first = client.get(path)
    assert first.headers["Cache-Control"] == PUBLIC and "Cookie" in first.headers["Vary"]
    again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
