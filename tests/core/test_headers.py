"""Security headers on every kind of response, and no cookie for a reader who only reads."""

import pytest

from tests.conftest import sign_in
from tests.media_samples import image_bytes, upload


@pytest.fixture
def config_overrides():
    return {"MAX_UPLOAD_MB": 1}


def assert_strict(response, what):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what


def test_every_kind_of_response_carries_the_policy(client, author, make_post):
    make_post("Sleep")
    cases = {
        "page": client.get("/post/sleep"),
        "404": client.get("/nowhere"),
        "405": client.put("/post/sleep"),
        "json error": client.get("/nowhere", headers={"Accept": "application/json"}),
        "feed": client.get("/feed.xml"),
        "static": client.get("/static/css/site.css"),
        "healthz": client.get("/healthz"),
        "415": client.post("/login", json={}),
        "413": client.post("/login", data={"email": "x" * (2 * 1024 * 1024)}),
    }
    sign_in(client, author)
    stored = upload(client, image_bytes()).get_json()
    cases["media"] = client.get(stored["url"])
    for what, response in cases.items():
        assert_strict(response, what)
    assert cases["media"].status_code == 200


def test_reading_sets_no_cookie(client, make_post):
    make_post("Sleep", tags="rest")
    for path in ("/", "/post/sleep", "/tag/rest", "/search?q=sleep", "/archive", "/feed.xml"):
        response = client.get(path)
        assert response.headers.getlist("Set-Cookie") == [], path
    assert client.post("/post/sleep/seen").headers.getlist("Set-Cookie") == []
