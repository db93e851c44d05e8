"""With CSRF on, every POST without a token is refused; the editor keeps the text."""

import re

import pytest
from sqlalchemy import func, select

from blog.extensions import csrf, db
from blog.models import Post
from tests.conftest import page_text, sign_in


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


def post_rules(app):
    exempt = {name.rsplit(".", 1)[-1] for name in csrf._exempt_views}
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods
        and rule.endpoint != "static"
        and app.view_functions[rule.endpoint].__name__ not in exempt
    ]


def concrete(rule, post_id: int) -> str:
    return re.sub(r"<(?:\w+:)?\w+>", str(post_id), rule.rule)


def test_every_post_route_refuses_a_missing_token(app, client, author, make_post):
    post = make_post("Existing")
    sign_in(client, author)
    rules = post_rules(app)
    assert any(rule.endpoint == "author.edit_post" for rule in rules)
    for rule in rules:
        response = client.post(concrete(rule, post.id), data={"title": "x", "body": "y"})
        assert response.status_code == 400, rule.rule
    assert db.session.scalar(select(func.count(Post.id))) == 1


def test_a_stale_token_in_the_editor_keeps_the_text_and_gives_a_fresh_token(
    client, author, make_post
):
    post = make_post("Existing", body="Old text")
    sign_in(client, author)
    response = client.post(
        f"/admin/posts/{post.id}/edit",
        data={"csrf_token": "stale", "title": "Edited title", "body": "Two hours of typing"},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Your session expired" in text and "then save again" in text
    assert "Two hours of typing" in text and "Edited title" in text
    token = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert token and token.group(1) != "stale"
    # The fresh token works: the second press saves.
    again = client.post(
        f"/admin/posts/{post.id}/edit",
        data={
            "csrf_token": token.group(1),
            "title": "Edited title",
            "body": "Two hours of typing",
            "status": "draft",
        },
    )
    assert again.status_code == 303
    assert db.session.get(Post, post.id).body_md == "Two hours of typing"


def test_an_expired_session_keeps_the_settings_text(client):
    """Signed out and without a token: the sign-in is what the author must fix first."""
    response = client.post("/admin/settings", data={"about_md": "My long about page"})
    assert response.status_code == 401
    assert "My long about page" in page_text(response)


def test_autosave_with_a_stale_token_answers_json(client, author):
    sign_in(client, author)
    response = client.post(
        "/admin/posts/autosave",
        data={"title": "t", "body": "b"},
        headers={"X-CSRFToken": "bad", "Accept": "application/json"},
    )
    assert response.status_code == 400
    assert "sign in again" in response.get_json()["error"]
    # The editor's script reads this flag, fetches its page again for a fresh token and
    # sends once more.
    assert response.get_json()["stale_token"] is True


def test_a_signed_out_save_keeps_the_status_it_was_sent_with(client, author, make_post):
    """The page given back offers the buttons of a published post, so pressing Update once
    signed in again doesn't make it a draft."""
    post = make_post("Live", body="Old text")
    response = client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": "Live", "body": "Typed", "status": "published", "version": "v"},
    )
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert '<input type="hidden" name="status" value="published">' in html
    assert 'name="version" id="version" value="v"' in html
    assert ">Unpublish</button>" in html and "Typed" in html


def test_autosave_accepts_the_token_in_a_header(client, author):
    sign_in(client, author)
    page = client.get("/admin/posts/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/admin/posts/autosave", data={"title": "t", "body": "b"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200 and response.get_json()["saved"]


def test_signed_out_posts_without_a_token_are_sent_to_sign_in_first(app, client):
    """Signed out is the problem to report (302 or JSON 401), not the missing token."""
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    for rule in rules:
        if "POST" not in rule.methods:
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        page = client.post(path, data={"x": "y"})
        assert page.status_code in (302, 401), path
        script = client.post(path, data={"x": "y"}, headers={"Accept": "application/json"})
        assert script.status_code == 401 and script.get_json()["signed_out"], path


def test_a_browser_update_does_not_sign_the_author_out(client, author):
    sign_in(client, author)
    assert (
        client.get("/admin/", headers={"User-Agent": "Mozilla/5.0 Chrome/120.0"}).status_code == 200
    )
    assert (
        client.get("/admin/", headers={"User-Agent": "Mozilla/5.0 Chrome/121.0"}).status_code == 200
    )


def test_a_reader_with_a_session_cookie_keeps_public_caching(client, make_post):
    make_post("Hello")
    with client.session_transaction() as session:  # e.g. left by an old comment form
        session["csrf_token"] = "an old token"
    for path in ("/", "/post/hello"):
        response = client.get(path)
        assert response.headers.getlist("Set-Cookie") == [], path
        assert response.headers["Cache-Control"].startswith("public, max-age=60"), path


def test_a_stale_token_on_the_reviewers_page_keeps_what_she_typed(client, author):
    from blog.models import Reviewer

    sam = Reviewer(name="Dr. Sam Lee", credentials="MD")
    db.session.add(sam)
    db.session.commit()
    sign_in(client, author)
    for path in [f"/admin/reviewers/{sam.id}", "/admin/reviewers"]:
        response = client.post(
            path, data={"csrf_token": "stale", "name": "Dr. Samuel Lee", "credentials": "FRCP"}
        )
        assert response.status_code == 400
        text = page_text(response)
        assert "Your session expired" in text
        assert 'value="Dr. Samuel Lee"' in text and 'value="FRCP"' in text
    db.session.expire_all()
    assert db.session.get(Reviewer, sam.id).name == "Dr. Sam Lee"
