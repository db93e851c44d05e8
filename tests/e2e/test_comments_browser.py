"""Comments and likes in a real browser with JavaScript on, under the strict CSP."""

import pytest
from playwright.sync_api import expect

from blog.extensions import db
from blog.models import Post


@pytest.fixture
def config_overrides():
    return {"COMMENT_MIN_SECONDS": 0, "WTF_CSRF_ENABLED": True}


def test_reader_posts_a_comment_and_sees_it_awaiting_moderation(
    page, live_server, post_with_comment
):
    page.goto(live_server.url + "/post/sleep")
    page.get_by_label("Name").fill("Linda")
    page.get_by_label("Email (optional)").fill("linda@example.org")
    page.get_by_label("Comment", exact=True).fill("Is six hours **enough**?")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**/post/sleep#comments")
    mine = page.locator(".comment--pending")
    assert "Awaiting moderation" in mine.inner_text()
    assert mine.locator("strong", has_text="enough").count() == 1
    assert page.js_errors == []


def test_reply_link_moves_the_form_under_the_comment(page, live_server, post_with_comment):
    comment_id = post_with_comment["comment"]
    page.goto(live_server.url + "/post/sleep")
    page.get_by_role("link", name="Reply to Ann").click()
    # The form now follows the comment's article, and says whom it answers.
    follows = page.evaluate(
        f"document.getElementById('comment-{comment_id}').nextElementSibling.id"
    )
    assert follows == "comment-form"
    assert page.locator("[data-replying]").inner_text().startswith("Replying to Ann")
    assert page.locator("input[name=parent_id]").input_value() == str(comment_id)
    assert page.evaluate("location.search") == ""  # no reload
    page.get_by_label("Name").fill("Bob")
    page.get_by_label("Comment", exact=True).fill("Naps help me.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**/post/sleep#comments")
    reply = page.locator(".comment-replies .comment--pending")
    assert "Naps help me." in reply.inner_text()

    page.get_by_role("link", name="Reply to Ann").click()
    page.get_by_role("link", name="(cancel)").click()
    assert page.locator("[data-replying]").is_hidden()
    assert page.locator("input[name=parent_id]").input_value() == ""
    home = page.evaluate("document.getElementById('comment-form').parentElement.dataset")
    assert "commentFormHome" in home
    assert page.js_errors == []


def test_like_button_updates_in_place(page, live_server, live_app, post_with_comment):
    page.goto(live_server.url + "/post/sleep")
    button = page.get_by_role("button", name="Like")
    assert button.get_attribute("aria-pressed") == "false"
    with page.expect_request(lambda request: request.method == "POST") as liked:
        button.click()
    assert liked.value.headers.get("x-requested-with") == "fetch"
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url.endswith("/post/sleep")  # no navigation
    assert page.locator(".post-stats [data-like-label]").inner_text() == "1 like"
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".post-stats [data-like-label]")).to_be_hidden()
    with live_app.app_context():
        assert db.session.get(Post, post_with_comment["post"]).like_count == 0
        db.session.remove()
    assert page.js_errors == []


def test_a_refused_comment_keeps_the_posts_address(page, live_server, post_with_comment):
    page.goto(live_server.url + "/post/sleep")
    page.get_by_label("Comment", exact=True).fill("No name given")
    page.evaluate("document.getElementById('comment-form').noValidate = true")  # the server's say
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.locator(".field__error").count() >= 1
    assert page.evaluate("location.pathname + location.hash") == "/post/sleep#comment-form"
    assert page.get_by_label("Comment", exact=True).input_value() == "No name given"
    page.reload()
    assert page.locator("h1").inner_text() == "Sleep and the heart"
    assert [error for error in page.js_errors if "(BAD REQUEST)" not in error] == []


def test_the_like_line_appears_with_the_first_like(page, live_server, post_with_comment):
    page.goto(live_server.url + "/post/sleep")
    label = page.locator(".post-stats [data-like-label]")
    expect(label).to_be_hidden()
    page.get_by_role("button", name="Like").click()
    expect(page.get_by_role("button", name="Liked")).to_have_attribute("aria-pressed", "true")
    expect(label).to_have_text("1 like")
    page.get_by_role("button", name="Liked").click()
    expect(label).to_be_hidden()
