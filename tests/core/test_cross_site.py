"""Writes sent by another site's page are refused before any session work (403, no cookie)."""

import pytest

from blog.models import Comment, Post
from tests.conftest import sign_in

CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page too
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame or a file:// page
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_a_cross_site_form_to_the_editor_is_refused_without_a_cookie(
    client, author, db_count, headers
):
    sign_in(client, author)
    response = client.post(
        "/admin/posts/new",
        data={"title": "Buy pills", "body": "[cheap](https://evil.example)"},
        headers=headers,
    )
    assert response.status_code == 403
    assert response.headers.getlist("Set-Cookie") == []
    assert "evil.example" not in response.text and "Buy pills" not in response.text
    assert "sent from another website" in response.text
    assert db_count(Post) == 0
    assert client.get("/admin/").status_code == 200  # still signed in


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_cross_site_comments_likes_and_sign_ins_are_refused(client, make_post, db_count, headers):
    post = make_post("Hello")
    for path, data in (
        (f"/post/{post.slug}/comments", {"name": "A", "body": "Hi"}),
        (f"/post/{post.slug}/like", {}),
        ("/login", {"email": "a@example.org", "password": "x" * 12}),
        ("/logout", {}),
    ):
        response = client.post(path, data=data, headers=headers)
        assert response.status_code == 403, path
        assert response.headers.getlist("Set-Cookie") == [], path
    assert db_count(Comment) == 0


READER_ENDPOINTS = ("comments", "like", "seen")  # exempt from the session token


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True}])
@pytest.mark.parametrize("headers", CROSS_SITE)
def test_the_readers_tokenless_endpoints_refuse_other_sites(client, make_post, db_count, headers):
    from blog.comments import spam
    from blog.posts import stats

    post = make_post("Hello")
    comment = {"name": "A", "body": "Hi", "started": spam.form_token(post.id)}
    for endpoint in READER_ENDPOINTS:
        data = comment if endpoint == "comments" else {}
        response = client.post(f"/post/{post.slug}/{endpoint}", data=data, headers=headers)
        assert response.status_code == 403, endpoint
        assert response.headers.getlist("Set-Cookie") == [], endpoint
    assert db_count(Comment) == 0
    assert stats.flush_views() == 0
    assert client.get_cookie("rounds_reader") is None


@pytest.mark.parametrize("config_overrides", [{"WTF_CSRF_ENABLED": True, "COMMENT_MIN_SECONDS": 0}])
def test_the_readers_endpoints_take_a_same_origin_post_without_a_token(client, make_post, db_count):
    from blog.comments import spam
    from blog.posts import stats

    post = make_post("Hello")
    browser = {
        "Origin": "http://localhost",
        "Sec-Fetch-Site": "same-origin",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0",
    }
    comment = {"name": "A", "body": "Hi", "started": spam.form_token(post.id)}
    assert client.post("/post/hello/comments", data=comment, headers=browser).status_code == 303
    assert db_count(Comment) == 1
    assert client.post("/post/hello/like", headers=browser).status_code == 303
    assert client.post("/post/hello/seen", headers=browser).status_code == 204
    assert stats.flush_views() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked by the user
        {"Origin": "http://localhost"},
        {},  # no browser page: the CSRF token guards it as before
    ],
)
def test_the_sites_own_pages_and_plain_clients_get_through(client, author, headers):
    sign_in(client, author)
    response = client.post(
        "/admin/posts/new",
        data={"title": "Mine", "body": "Text", "status": "draft"},
        headers=headers,
    )
    assert response.status_code == 303


def test_the_public_address_counts_as_the_sites_own(app, client, author):
    app.config["SITE_URL"] = "https://blog.example.org"
    sign_in(client, author)
    headers = {"Origin": "https://blog.example.org"}
    data = {"title": "Mine", "body": "Text", "status": "draft"}
    assert client.post("/admin/posts/new", data=data, headers=headers).status_code == 303
    assert client.get("/healthz", headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200


@pytest.fixture
def db_count():
    from sqlalchemy import func, select

    from blog.extensions import db

    return lambda model: db.session.scalar(select(func.count()).select_from(model))
