"""Likes: once per browser, a plain form POST or in place; the author can hide them."""

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Post, PostLike
from blog.public.reader import COOKIE
from tests.comment_helpers import change_settings, like_twice, reader_cookie
from tests.conftest import sign_in

JSON = {"Accept": "application/json"}


def like_count(post) -> int:
    db.session.expire_all()
    return db.session.get(Post, post.id).like_count


def test_like_without_javascript_asks_once_then_redirects_back(client, make_post):
    post = make_post("Sleep")
    first = client.post("/post/sleep/like")
    assert first.status_code == 303
    assert first.headers["Location"] == "/post/sleep?like=confirm#like"
    assert like_count(post) == 0
    assert reader_cookie(client)
    asked = client.get(first.headers["Location"]).text
    assert "Press Like again to confirm." in asked and 'aria-pressed="false"' in asked
    response = client.post("/post/sleep/like")
    assert response.status_code == 303
    assert response.headers["Location"] == "/post/sleep#like"
    assert like_count(post) == 1
    page = client.get("/post/sleep?like=confirm").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and "1 like" in page
    assert ">Liked</span>" in page  # said in words, not only by colour
    assert "Press Like again" not in page


def test_like_counts_once_per_browser_and_pressing_again_takes_it_back(app, client, make_post):
    post = make_post("Sleep")
    first = client.post("/post/sleep/like", headers=JSON).get_json()
    assert first["confirm"] is True and first["liked"] is False and first["count"] == 0
    assert client.post("/post/sleep/like", headers=JSON).get_json() == {
        "liked": True,
        "count": 1,
        "label": "1 like",
    }
    other = app.test_client()
    assert like_twice(other, "sleep", headers=JSON).get_json()["count"] == 2
    again = client.post("/post/sleep/like", headers=JSON).get_json()
    assert again == {"liked": False, "count": 1, "label": "1 like"}
    assert like_count(post) == 1
    rows = db.session.scalar(select(func.count()).select_from(PostLike))
    assert rows == 1
    stored = db.session.scalar(select(PostLike.browser_hash))
    assert reader_cookie(other) not in stored and reader_cookie(other).split(".")[0] not in stored


def test_fifty_likes_without_a_cookie_change_nothing(app, make_post):
    post = make_post("Sleep")
    for _ in range(50):
        response = app.test_client().post("/post/sleep/like", headers=JSON)
        assert response.status_code == 200 and response.get_json()["confirm"] is True
    assert like_count(post) == 0
    assert db.session.scalar(select(func.count()).select_from(PostLike)) == 0


@pytest.mark.parametrize(
    "value",
    [
        "a" * 43,  # a token the site never signed (as cookies were before they were signed)
        "a" * 43 + "." + "0" * 32,  # a made-up signature
        "short.0123456789abcdef0123456789abcdef",
        ".",
        "",
    ],
)
def test_a_cookie_the_site_did_not_sign_is_ignored(client, make_post, value):
    post = make_post("Sleep")
    client.set_cookie(COOKIE, value)
    for _ in range(3):
        answer = client.post("/post/sleep/like", headers=JSON).get_json()
        assert answer["confirm"] is True
        client.set_cookie(COOKIE, value)  # a script that keeps sending its own value
    assert like_count(post) == 0


def test_a_key_change_keeps_the_cookie_only_while_the_old_key_is_a_fallback(app, client, make_post):
    post = make_post("Sleep")
    like_twice(client, "sleep")
    old = app.config["SECRET_KEY"]
    app.config.update(SECRET_KEY="a-new-secret-key-of-thirty-two-chars", SECRET_KEY_FALLBACKS=[old])
    assert client.post("/post/sleep/like", headers=JSON).get_json()["liked"] is False
    client.post("/post/sleep/like", headers=JSON)
    assert like_count(post) == 1
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.post("/post/sleep/like", headers=JSON).get_json()["confirm"] is True
    assert like_count(post) == 1


def test_plain_read_shows_an_unpressed_button(client, make_post):
    make_post("Sleep")
    page = client.get("/post/sleep").get_data(as_text=True)
    assert 'action="/post/sleep/like"' in page and 'aria-pressed="false"' in page


def test_likes_hidden_and_refused_when_switched_off(client, make_post):
    post = make_post("Sleep", like_count=3)
    change_settings(show_likes=False)
    page = client.get("/post/sleep").get_data(as_text=True)
    assert "/like" not in page and "3 likes" not in page
    assert "3 likes" not in client.get("/").get_data(as_text=True)
    assert client.post("/post/sleep/like").status_code == 404
    assert like_count(post) == 3


def test_view_counter_hidden_when_switched_off(client, make_post):
    make_post("Sleep", view_count=41)
    assert "41 views" in client.get("/").get_data(as_text=True)
    change_settings(show_views=False)
    assert "views" not in client.get("/").get_data(as_text=True)
    stats = client.get("/post/sleep").text.split('class="post-stats"')[1].split("</ul>")[0]
    assert "view" not in stats


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_a_readers_like_needs_no_token_and_the_authors_does(client, make_post, author):
    post = make_post("Sleep")
    page = client.get("/post/sleep").text
    assert "csrf_token" not in page
    assert like_twice(client, "sleep").status_code == 303
    assert like_count(post) == 1
    sign_in(client, author)
    assert client.post("/post/sleep/like").status_code == 400
    assert like_count(post) == 1


def test_cannot_like_a_draft(client, make_post):
    make_post("Draft", status="draft")
    assert client.post("/post/draft/like").status_code == 404
