"""Likes: once per browser, a plain form POST or in place; the author can hide them."""

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Post, PostLike
from tests.comment_helpers import change_settings, reader_cookie

JSON = {"Accept": "application/json"}


def like_count(post) -> int:
    db.session.expire_all()
    return db.session.get(Post, post.id).like_count


def test_like_without_javascript_redirects_back(client, make_post):
    post = make_post("Sleep")
    response = client.post("/post/sleep/like")
    assert response.status_code == 303
    assert response.headers["Location"] == "/post/sleep#like"
    assert like_count(post) == 1
    assert reader_cookie(client)
    page = client.get("/post/sleep").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and "1 like" in page


def test_like_counts_once_per_browser_and_pressing_again_takes_it_back(app, client, make_post):
    post = make_post("Sleep")
    first = client.post("/post/sleep/like", headers=JSON)
    assert first.get_json() == {"liked": True, "count": 1, "label": "1 like"}
    other = app.test_client()
    assert other.post("/post/sleep/like", headers=JSON).get_json()["count"] == 2
    again = client.post("/post/sleep/like", headers=JSON).get_json()
    assert again == {"liked": False, "count": 1, "label": "1 like"}
    assert like_count(post) == 1
    rows = db.session.scalar(select(func.count()).select_from(PostLike))
    assert rows == 1
    stored = db.session.scalar(select(PostLike.browser_hash))
    assert reader_cookie(other) not in stored


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
    assert "view" not in client.get("/post/sleep").get_data(as_text=True).split("post-stats")[1]


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
def test_like_needs_the_csrf_token(client, make_post):
    post = make_post("Sleep")
    assert client.post("/post/sleep/like").status_code == 400
    assert like_count(post) == 0


def test_cannot_like_a_draft(client, make_post):
    make_post("Draft", status="draft")
    assert client.post("/post/draft/like").status_code == 404
