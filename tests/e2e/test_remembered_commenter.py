"""The comment form remembers the reader's name and email in their own browser (never in
a cookie), and forgets them on "Forget me"."""

import pytest


@pytest.fixture
def config_overrides():
    return {"COMMENT_MIN_SECONDS": 0, "WTF_CSRF_ENABLED": True}


def test_the_form_remembers_and_forgets_the_reader(page, live_server, post_with_comment):
    page.goto(live_server.url + "/post/sleep")
    assert page.locator("[data-remember]").is_hidden()  # nothing kept yet
    page.get_by_label("Name").fill("Linda")
    page.get_by_label("Email (optional)").fill("linda@example.org")
    page.get_by_label("Comment", exact=True).fill("Thank you.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url("**/post/sleep#comments")

    page.goto(live_server.url + "/post/sleep")
    assert page.get_by_label("Name").input_value() == "Linda"
    assert page.get_by_label("Email (optional)").input_value() == "linda@example.org"
    assert page.locator("[data-remember]").is_visible()
    cookies = " ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
    assert "Linda" not in cookies and "linda" not in cookies  # the server never gets it

    page.get_by_role("button", name="Forget me").click()
    assert page.get_by_label("Name").input_value() == ""
    assert "Forgotten" in page.locator("[data-remember]").inner_text()
    assert page.evaluate("localStorage.getItem('rounds.commenter')") is None
    page.goto(live_server.url + "/post/sleep")
    assert page.get_by_label("Name").input_value() == ""
    assert page.js_errors == []
