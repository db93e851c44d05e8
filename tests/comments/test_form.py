"""Readers' comment form: posting, validation that keeps the text, replies, closed posts."""

import re
from datetime import timedelta

import pytest

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import CommentStatus, Moderation, Post, PostStatus
from blog.public.reader import COOKIE
from tests.comment_helpers import (
    BROWSER,
    FAST_FORMS,
    change_settings,
    comments,
    comments_section,
    form_data,
    post_comment,
    reader_cookie,
)
from tests.conftest import sign_in


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


def test_post_page_has_the_form_with_contract_fields(client, make_post):
    make_post("Sleep")
    page = client.get("/post/sleep").get_data(as_text=True)
    section = comments_section(page)
    assert 'action="/post/sleep/comments#comment-form"' in section
    for name in ("name", "email", "body", "parent_id", "website", "started"):
        assert f'name="{name}"' in section
    assert "Markdown works" in section
    assert 'maxlength="80"' in section and 'maxlength="5000"' in section
    assert "<script" not in re.sub(
        r'<script src="/static/js/(comments|remember)\.js\?v=\w+" defer></script>', "", section
    )


def test_plain_read_sets_no_reader_cookie(client, make_post):
    make_post("Sleep")
    client.get("/post/sleep")
    assert reader_cookie(client) is None


def test_first_comment_waits_and_only_its_browser_sees_it(app, client, make_post):
    post = make_post("Sleep")
    response = post_comment(client, post, body="Is 6 hours enough?", email="Linda@Example.ORG")
    assert response.status_code == 303
    assert response.headers["Location"] == "/post/sleep#comments"
    [comment] = comments()
    assert comment.status == CommentStatus.PENDING
    assert comment.email == "linda@example.org"
    assert comment.ip_hash and "127.0.0.1" not in comment.ip_hash
    token = reader_cookie(client)
    assert token and comment.browser_hash and token not in comment.browser_hash

    own = comments_section(client.get("/post/sleep").get_data(as_text=True))
    assert "Is 6 hours enough?" in own and "Awaiting moderation" in own
    assert "linda@example.org" not in own.lower()
    stranger = app.test_client()
    other = comments_section(stranger.get("/post/sleep").get_data(as_text=True))
    assert "Is 6 hours enough?" not in other and "No comments yet." in other
    assert db.session.get(Post, post.id).comment_count == 0


def test_set_cookie_flags(client, make_post):
    post = make_post("Sleep")
    response = post_comment(client, post)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE))
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_published_comment_redirects_to_its_anchor(client, make_post):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Sleep")
    response = post_comment(client, post, body="Great *read*")
    [comment] = comments()
    assert response.headers["Location"] == f"/post/sleep#comment-{comment.id}"
    page = client.get("/post/sleep").get_data(as_text=True)
    assert "<em>read</em>" in page and "1 comment" in page


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"name": ""}, "name", "Please enter your name."),
        ({"name": "   "}, "name", "Please enter your name."),
        ({"name": "N" * 81}, "name", "Names can be up to 80 characters."),
        ({"body": ""}, "body", "Please write your comment."),
        ({"body": "x" * 5001}, "body", "Comments can be up to 5,000 characters"),
        ({"email": "not-an-email"}, "email", "doesn&#39;t look like an email address"),
    ],
)
def test_bad_input_is_400_with_message_next_to_field_and_text_kept(
    client, make_post, fields, field_id, message
):
    post = make_post("Sleep")
    data = {"name": "Linda", "body": "My careful question", **fields}
    response = post_comment(client, post, **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error = page.index(f'id="{field_id}-error"')
    assert message in page[error : error + 300]
    kept = data["body"] if field_id != "body" else data["name"]
    assert kept in page
    assert comments() == []


def test_the_comment_address_asked_for_again_opens_the_post(client, make_post):
    post = make_post("Sleep")
    response = client.get(f"/post/{post.slug}/comments")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/post/{post.slug}#comments"


def test_limits_accept_exactly_the_maximum(client, make_post):
    post = make_post("Sleep")
    response = post_comment(client, post, name="N" * 80, body="b" * 5000)
    assert response.status_code == 303
    assert len(comments()) == 1


def test_a_readers_comment_needs_no_session_token(app, client, make_post):
    """The page is the same for every reader: no per-session token, no session cookie.
    Another site's post is refused by its Origin (tests/core/test_cross_site.py)."""
    app.config["WTF_CSRF_ENABLED"] = True
    post = make_post("Sleep")
    page = client.get("/post/sleep")
    assert "csrf_token" not in page.text and page.headers.getlist("Set-Cookie") == []
    headers = {**BROWSER, "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    response = client.post(
        "/post/sleep/comments", data=form_data(post, body="Sent from the page"), headers=headers
    )
    assert response.status_code == 303
    assert [c.body_md for c in comments()] == ["Sent from the page"]


def test_reply_without_javascript(client, make_post, make_comment):
    post = make_post("Sleep")
    parent = make_comment(post, name="Ann", body="Question?")
    page = client.get(f"/post/sleep?reply_to={parent.id}").get_data(as_text=True)
    assert f'href="/post/sleep?reply_to={parent.id}#comment-form"' in page
    form = page[page.index('id="comment-form"') :]
    assert "Replying to <strong data-replying-name>Ann</strong>" in form
    assert f'name="parent_id" type="hidden" value="{parent.id}"' in form
    response = post_comment(client, post, parent_id=str(parent.id), body="Me too")
    assert response.status_code == 303
    assert comments(body_md="Me too")[0].parent_id == parent.id


def test_reply_to_a_reply_joins_the_thread(client, make_post, make_comment):
    post = make_post("Sleep")
    parent = make_comment(post, name="Ann")
    child = make_comment(post, name="Bob", parent=parent)
    page = client.get(f"/post/sleep?reply_to={child.id}").get_data(as_text=True)
    assert "Replying to <strong data-replying-name>Bob</strong>" in page
    post_comment(client, post, parent_id=str(child.id), body="Third")
    assert comments(body_md="Third")[0].parent_id == parent.id


@pytest.mark.parametrize("parent_id", ["999", "abc", "-1"])
def test_reply_to_a_missing_comment_is_400_and_keeps_text(client, make_post, parent_id):
    post = make_post("Sleep")
    response = post_comment(client, post, parent_id=parent_id, body="Orphan text")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "no longer available" in page and "Orphan text" in page


def test_reply_to_a_pending_comment_is_refused(client, make_post, make_comment):
    post = make_post("Sleep")
    held = make_comment(post, status=CommentStatus.PENDING)
    response = post_comment(client, post, parent_id=str(held.id))
    assert response.status_code == 400


def test_no_reply_links_or_form_when_closed_by_setting(client, make_post, make_comment):
    post = make_post("Sleep")
    make_comment(post)
    change_settings(comments_enabled=False)
    page = client.get("/post/sleep").get_data(as_text=True)
    assert "Comments are closed on this post." in page
    assert 'id="comment-form"' not in page and "reply_to=" not in page
    response = post_comment(client, post, body="Too late, but my words")
    assert response.status_code == 403
    closed = response.get_data(as_text=True)
    assert "Comments are closed on this post" in closed and "Too late, but my words" in closed
    assert [c.body_md for c in comments()] == ["Thank you!"]


def test_comments_close_after_the_configured_days(client, make_post):
    change_settings(close_comments_after_days=30)
    old = make_post("Old", published_at=utcnow() - timedelta(days=31))
    recent = make_post("Recent", published_at=utcnow() - timedelta(days=29))
    assert "Comments are closed" in client.get("/post/old").get_data(as_text=True)
    assert post_comment(client, old).status_code == 403
    assert 'id="comment-form"' in client.get("/post/recent").get_data(as_text=True)
    assert post_comment(client, recent).status_code == 303


@pytest.mark.parametrize("fields", [{"status": PostStatus.DRAFT}, {"deleted_at": utcnow()}])
def test_cannot_comment_on_hidden_posts(client, make_post, fields):
    post = make_post("Hidden", **fields)
    assert post_comment(client, post).status_code == 404
    assert comments() == []


def test_unknown_post_is_404(client, make_post):
    post = make_post("Sleep")
    response = client.post("/post/nope/comments", data=form_data(post))
    assert response.status_code == 404


def test_signed_in_author_comment_is_published_with_badge(client, make_post, author):
    post = make_post("Sleep", author=author)
    sign_in(client, author)
    page = client.get("/post/sleep", headers=BROWSER).get_data(as_text=True)
    assert 'value="Dr. Ada Lovelace"' in page
    response = post_comment(client, post, name="Dr. Ada Lovelace", body="Thanks all")
    assert response.status_code == 303
    [comment] = comments()
    assert comment.is_author and comment.status == CommentStatus.APPROVED
    page = client.get("/post/sleep", headers=BROWSER).get_data(as_text=True)
    assert '<span class="badge"' in page


def test_author_preview_of_a_draft_has_no_comment_form(client, make_post, author):
    make_post("Draft", status=PostStatus.DRAFT, author=author)
    sign_in(client, author)
    page = client.get("/post/draft", headers=BROWSER).get_data(as_text=True)
    assert "Only you can see this draft post" in page
    assert 'id="comment-form"' not in page and "Comments are closed" not in page


def test_nul_characters_are_dropped_from_what_is_sent(client, make_post):
    post = make_post("Sleep")
    fields = form_data(post, name="Li\x00nda", body="Is\x00 it safe?")
    response = client.post(f"/post/{post.slug}/comments", headers=BROWSER, data=fields)
    assert response.status_code == 303
    [comment] = comments()
    assert (comment.author_name, comment.body_md) == ("Linda", "Is it safe?")


def test_line_breaks_in_a_name_cannot_forge_lines_in_the_mail(client, make_post):
    post = make_post("Hello")
    response = post_comment(client, post, name="Ann\r\nBcc: x@evil.example\tZ")
    assert response.status_code == 303
    assert [c.author_name for c in comments()] == ["Ann Bcc: x@evil.example Z"]
