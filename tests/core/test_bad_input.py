"""Hostile input gets a 4xx with a message, never a 500, and keeps what the author typed."""

import pytest

from blog.extensions import db
from blog.models import Author, Post, Settings
from tests.conftest import page_text

HUGE_ID = "99999999999999999999"


@pytest.fixture
def config_overrides():
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.mark.parametrize("target", ["http://[", "//[", "https://[::1/admin"])
def test_login_next_with_broken_url_is_ignored(client, target):
    response = client.get("/login", query_string={"next": target})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"/admin/posts/{HUGE_ID}/edit",
        f"/admin/posts/1/revisions/{HUGE_ID}",
        f"/admin/posts/{HUGE_ID}/revisions",
    ],
)
def test_ids_beyond_a_database_integer_are_404(author_client, make_post, path):
    make_post()
    assert author_client.get(path).status_code == 404


def test_huge_comment_id_in_moderation_is_404(author_client):
    assert author_client.post(f"/admin/comments/{HUGE_ID}/approve").status_code == 404


@pytest.mark.parametrize("raw_id", ["²", "١", HUGE_ID, "-1", "1.0", "0x1"])
def test_autosave_with_a_strange_post_id_is_400(author_client, raw_id):
    response = author_client.post("/admin/posts/autosave", data={"title": "T", "post_id": raw_id})
    assert response.status_code == 400
    assert response.get_json()["error"]


@pytest.mark.parametrize("value", ["http://[", "https://[::1"])
def test_settings_refuse_a_broken_profile_link_with_a_message(author_client, value):
    response = author_client.post(
        "/admin/settings",
        data={"site_title": "Mine", "timezone": "UTC", "name": "Dr. A", "same_as": value},
    )
    assert response.status_code == 400
    assert "is not a web address" in page_text(response)
    assert "Mine" in page_text(response)


def test_settings_with_only_the_required_fields_save(app, author_client, author):
    response = author_client.post(
        "/admin/settings", data={"site_title": "Mine", "timezone": "UTC", "name": "Dr. B"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert Settings.current().site_title == "Mine"
    assert db.session.get(Author, author.id).credentials == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_at", "0001-01-01T00:00"),
        ("published_at", "9999-12-31T23:59"),
        ("last_reviewed", "0001-01-01"),
        ("last_reviewed", "9999-12-31"),
    ],
)
def test_editor_refuses_dates_out_of_range_and_keeps_the_text(author_client, field, value):
    status = "scheduled" if value.startswith("9999") and field == "published_at" else "published"
    data = {"title": "Far dates", "body": "My careful text.", "status": status, field: value}
    response = author_client.post("/admin/posts/new", data=data)
    assert response.status_code == 400
    text = page_text(response)
    assert "between the years" in text
    assert "My careful text." in text
    assert db.session.query(Post).count() == 0


def test_post_date_near_the_end_of_time_in_a_western_zone_is_refused(author_client):
    author_client.post(
        "/admin/settings", data={"site_title": "S", "timezone": "America/Denver", "name": "N"}
    )
    data = {"title": "T", "status": "scheduled", "published_at": "9999-12-31T23:00"}
    assert author_client.post("/admin/posts/new", data=data).status_code == 400


def test_signed_out_editor_save_with_a_bad_cover_id_keeps_the_text(client):
    data = {"title": "Kept", "body": "Typed before the session ended.", "cover_media_id": "abc"}
    response = client.post("/admin/posts/new", data=data)
    assert response.status_code == 401
    assert "Typed before the session ended." in page_text(response)


@pytest.mark.parametrize(
    "path",
    ["/admin/posts/new", "/admin/settings", "/post/hello/comments", "/login", "/admin/media"],
)
def test_json_where_a_form_is_expected_is_415(author_client, make_post, path):
    make_post(title="Hello", slug="hello")
    response = author_client.post(path, json={"title": 1, "body": 2, "name": ["a"], "email": {}})
    assert response.status_code == 415
    assert "form" in page_text(response)


@pytest.mark.parametrize("path", ["/admin/posts/new", "/admin/posts/1/edit", "/admin/settings"])
def test_json_from_a_signed_out_script_is_told_to_sign_in(client, make_post, path):
    make_post()
    response = client.post(
        path, json={"title": 1, "body": 2}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 401
    assert "Sign in" in response.get_json()["error"]


@pytest.mark.slow
def test_a_long_post_saves_from_the_editors_script(author_client):
    """The editor's script sends FormData (multipart), where Werkzeug caps text at 500 kB."""
    body = "Ééé long paragraph of careful clinical text.\n\n" * 6000  # 288,000 characters
    data = {"title": "Long guideline", "body": body, "status": "draft"}
    multipart = {"content_type": "multipart/form-data"}
    response = author_client.post("/admin/posts/new", data=data, **multipart)
    assert response.status_code == 303
    assert len(db.session.query(Post).one().body_md) == len(body)
    autosave = author_client.post(
        "/admin/posts/autosave", data={"title": "T", "body": body}, **multipart
    )
    assert autosave.status_code == 200


@pytest.mark.parametrize("content_type", ["multipart/form-data", None])
def test_a_post_over_the_size_cap_is_refused_with_its_text_kept(author_client, content_type):
    body = "Ééé paragraph.\n\n" * 20000  # 320,000 characters: over MAX_POST_KB
    data = {"title": "Too long", "body": body, "status": "draft"}
    response = author_client.post("/admin/posts/new", data=data, content_type=content_type)
    assert response.status_code == 400
    assert "a post can have 307,200" in page_text(response)
    assert body[:2000] in page_text(response)
    assert db.session.query(Post).count() == 0
    preview = author_client.post(
        "/admin/preview", data={"body": body}, headers={"X-Requested-With": "fetch"}
    )
    assert preview.status_code == 400 and "307,200" in preview.get_json()["error"]


@pytest.mark.parametrize(
    "path", ["/post/hello/comments", "/post/hello/like", "/login", "/setup", "/logout"]
)
def test_reader_and_sign_in_forms_refuse_bodies_over_64_kb(client, make_post, path):
    make_post("Hello")
    response = client.post(path, data={"body": "x" * 70_000, "name": "A"})
    assert response.status_code == 413


def test_a_signed_out_editor_post_is_given_back_without_rendering(client, monkeypatch):
    import blog.author.posts

    def no_markdown(*_args, **_kwargs):
        raise AssertionError("rendered Markdown for a signed-out request")

    monkeypatch.setattr(blog.author.posts, "render_text", no_markdown)
    response = client.post("/admin/posts/new", data={"title": "T", "body": "[" * 8000})
    assert response.status_code == 401
    assert "[" * 8000 in response.text


@pytest.mark.parametrize("site_url", ["", "https://blog.example.org"])
@pytest.mark.parametrize("host", ["a" * 3000, "evil.example", "a..b", "[::1"])
def test_a_host_header_that_names_no_site_is_400(app, client, site_url, host):
    app.config["SITE_URL"] = site_url
    response = client.get("/", headers={"Host": host})
    assert response.status_code in (200, 400), host
    if response.status_code == 400:
        assert "Unknown host name" in response.text
