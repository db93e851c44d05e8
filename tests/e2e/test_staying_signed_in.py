"""'Keep me signed in' across a browser restart, in a real Chromium profile on disk: the
ticked box gives a dated cookie that outlives the browser; without it the cookie is a
session cookie, gone when the browser closes, and the admin asks to sign in again."""

import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PASSWORD, add_author, sign_in_page

DAY = 86400


def start_browser(browser, profile):
    """Chromium on the profile folder, as a person's browser would be started again."""
    return browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
    )


def session_cookie(context) -> dict:
    (cookie,) = [c for c in context.cookies() if c["name"] == "session"]
    return cookie


@pytest.mark.parametrize("keep", [True, False])
def test_keep_me_signed_in_survives_a_browser_restart(
    browser, live_server, live_app, tmp_path, keep
):
    add_author(live_app)
    profile = tmp_path / "profile"
    context = start_browser(browser, profile)
    page = context.new_page()
    # Off unless she ticks it.
    page.goto(live_server.url + "/login")
    expect(page.get_by_label("Keep me signed in on this device")).not_to_be_checked()
    sign_in_page(page, live_server.url, "ada@example.org", PASSWORD, keep=keep)
    cookie = session_cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    if keep:  # dated: SESSION_MAX_DAYS (30) from now
        assert 29 * DAY < cookie["expires"] - time.time() <= 30 * DAY
    else:  # a session cookie: no date, it ends with the browser
        assert cookie["expires"] == -1
    context.close()

    context = start_browser(browser, profile)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/admin/")
        if keep:
            assert page.url == live_server.url + "/admin/"
            assert page.get_by_role("heading", name="Dashboard").is_visible()
            assert session_cookie(context)["expires"] > time.time() + 29 * DAY
        else:
            assert page.url.startswith(live_server.url + "/login")
            assert page.locator("main").get_by_role("button", name="Sign in").is_visible()
    finally:
        context.close()
