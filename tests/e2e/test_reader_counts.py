"""Views and likes in a real browser: the page's script counts the view once, a like
counts with one press; without JavaScript the view isn't counted and a like asks once."""

import time

import pytest
from playwright.sync_api import expect

from blog.extensions import db
from blog.models import Post
from blog.posts import stats

# Headless Chromium says "HeadlessChrome", which the counter takes for a bot: a reader's.
READER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36"
)


@pytest.fixture
def reader_page(browser):
    context = browser.new_context(user_agent=READER_AGENT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True, "VIEW_FLUSH_SECONDS": 0.2}


@pytest.fixture
def post_id(post_with_comment):
    return post_with_comment["post"]


def counts(app, post_id: int, wait_for_views: int | None = None) -> tuple[int, int]:
    """The post's views and likes once the app has written what it counted."""
    deadline = time.monotonic() + 5
    while True:
        with app.app_context():
            post = db.session.get(Post, post_id)
            found = post.view_count, post.like_count
            db.session.remove()
        if wait_for_views is None or found[0] >= wait_for_views or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_reader_with_javascript_counts_once_and_likes_with_one_press(
    reader_page, live_server, live_app, post_id
):
    page = reader_page
    with page.expect_response("**/post/sleep") as loaded:
        page.goto(live_server.url + "/post/sleep")
    assert loaded.value.headers["cache-control"].startswith("public, max-age=")
    assert counts(live_app, post_id, wait_for_views=1) == (1, 0)
    for _ in range(2):
        page.reload()
    time.sleep(0.5)
    with live_app.app_context():
        stats.flush_views()
    assert counts(live_app, post_id) == (1, 0)  # the same reader, the same day
    assert page.context.cookies() == []  # reading set no cookie

    button = page.get_by_role("button", name="Like")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_have_text("♥ Liked")
    assert page.locator(".post-stats [data-like-label]").inner_text() == "1 like"
    assert counts(live_app, post_id) == (1, 1)
    [cookie] = page.context.cookies()
    assert cookie["name"] == "rounds_reader" and cookie["httpOnly"]

    page.reload()  # the reader's own page now: the like shows without the script's help
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    assert page.js_errors == []


def test_without_javascript_nothing_is_counted_and_a_like_asks_once(
    browser, live_server, live_app, post_id
):
    context = browser.new_context(java_script_enabled=False, user_agent=READER_AGENT)
    page = context.new_page()
    page.goto(live_server.url + "/post/sleep")
    page.get_by_role("button", name="Like").click()
    page.wait_for_url("**/post/sleep?like=confirm#like")
    assert page.locator("[data-like-status]").inner_text() == "Press Like again to confirm."
    assert counts(live_app, post_id) == (0, 0)
    page.get_by_role("button", name="Like").click()
    page.wait_for_url("**/post/sleep#like")
    expect(page.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    time.sleep(0.5)
    with live_app.app_context():
        stats.flush_views()
    assert counts(live_app, post_id) == (0, 1)
    context.close()
