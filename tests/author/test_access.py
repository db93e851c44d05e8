"""Every /admin route refuses anonymous visitors, and a POST never changes anything."""

import re

import pytest
from sqlalchemy import func, select

from blog.core.database import MAX_ID
from blog.core.inputs import parse_id
from blog.extensions import db
from blog.models import ImportRun, Page, Post, Reviewer, Revision
from tests.conftest import page_text


def admin_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]


def concrete(rule) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)


def test_the_url_map_has_the_author_routes(app):
    endpoints = {rule.endpoint for rule in admin_rules(app)}
    assert {
        "author.dashboard",
        "author.new_post",
        "author.edit_post",
        "author.delete_post",
        "author.preview",
        "author.settings",
        "author.autosave",
        "author.revisions",
        "author.restore_revision",
        "author.trash",
        "author.empty_trash",
        "author.delete_samples",
    } <= endpoints


def test_every_admin_get_redirects_anonymous_users_to_login(app, client, make_post):
    make_post("Existing")
    rules = [rule for rule in admin_rules(app) if "GET" in rule.methods]
    assert rules
    for rule in rules:
        response = client.get(concrete(rule))
        assert response.status_code == 302, rule.rule
        assert response.headers["Location"].startswith("/login?next="), rule.rule


def test_every_admin_post_is_refused_for_anonymous_users(app, client, make_post):
    post = make_post("Existing", body="Original text")
    data = {"title": "Hijacked", "body": "Hijacked", "status": "published", "post_id": post.id}
    rules = [rule for rule in admin_rules(app) if "POST" in rule.methods]
    assert rules
    for rule in rules:
        response = client.post(concrete(rule).replace("/1/", f"/{post.id}/"), data=data)
        assert response.status_code in (302, 401), rule.rule
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), rule.rule
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_md == "Original text"
    assert db.session.get(Post, post.id).deleted_at is None
    assert db.session.scalar(select(func.count(Post.id))) == 1
    assert db.session.scalar(select(func.count(Revision.id))) == 0


def test_signed_out_editor_post_keeps_the_text(client, make_post):
    post = make_post("Existing", body="Original")
    response = client.post(
        f"/admin/posts/{post.id}/edit",
        data={
            "title": "My new title",
            "body": "Three paragraphs <b>I typed</b>",
            "status": "draft",
        },
    )
    assert response.status_code == 401
    text = page_text(response)
    assert "Your session expired" in text
    assert "Three paragraphs <b>I typed</b>" in text  # escaped in the textarea, shown as text
    textarea = response.get_data(as_text=True).split("<textarea")[1].split("</textarea>")[0]
    assert "&lt;b&gt;I typed&lt;/b&gt;" in textarea
    assert f'action="/admin/posts/{post.id}/edit"' in response.get_data(as_text=True)
    # Nothing about the site that only the author may see is on the page.
    assert "Original" not in text


@pytest.mark.parametrize("path", ["/admin/preview", "/admin/posts/autosave"])
def test_signed_out_script_requests_get_json(client, path):
    response = client.post(path, data={"body": "x"}, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert "Sign in" in response.get_json()["error"]


def test_signed_in_author_can_open_every_page(app, author_client, make_post):
    post = make_post("Existing")
    db.session.add(ImportRun(label="export.xml", status="done", summary="Imported 1 post."))
    db.session.add(Reviewer(id=post.id, name="Dr. Sam Lee"))  # the one id the URLs take
    db.session.add(Page(id=post.id, title="Contact", slug="contact"))
    db.session.commit()
    for rule in admin_rules(app):
        if "GET" not in rule.methods or rule.endpoint.startswith("author.revision"):
            continue
        response = author_client.get(concrete(rule).replace("/1/", f"/{post.id}/"))
        assert response.status_code in (200, 303), rule.rule


def test_signed_out_editor_post_with_a_forged_cover_keeps_the_text(client):
    response = client.post(
        "/admin/posts/new",
        data={"title": "Mine", "body": "Kept text", "status": "draft", "cover_media_id": "x"},
    )
    assert response.status_code == 401
    assert "Kept text" in page_text(response)


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_numbers_too_large_for_the_database_are_404(app, author_client, number):
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert rules
    for rule in rules:
        url = re.sub(r"<int:\w+>", str(number), rule.rule).replace("<action>", "approve")
        method = "GET" if "GET" in rule.methods else "POST"
        assert author_client.open(url, method=method).status_code == 404, url


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), ("0", None),
     ("-1", None), ("1e3", None), ("２", None), ("", None), (None, None), ("9" * 400, None)],
)  # fmt: skip
def test_parse_id_accepts_only_database_ids(raw, expected):
    assert parse_id(raw) == expected
