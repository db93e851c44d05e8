"""A reader's visit in a real browser: pages render, work by keyboard, obey the CSP."""

import pytest


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_goes_from_home_to_a_post(page, live_server, demo_site, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    assert page.locator("h1").first.inner_text() == "Rounds"
    page.get_by_role("link", name="Understanding your blood pressure numbers").first.click()
    page.wait_for_url("**/post/understanding-blood-pressure")
    assert "Understanding your blood pressure numbers" in page.locator("h1").inner_text()
    assert page.locator(".byline").inner_text().startswith("By Dr. Maya Okafor")
    assert page.locator(".prose table").count() >= 1
    assert page.locator(".footnote li").count() >= 2
    # Nothing is wider than the screen (tables scroll inside their wrapper).
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.js_errors == []


def test_skip_link_moves_focus_to_main(page, live_server, demo_site):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_dark_mode_follows_the_system(browser, live_server, demo_site):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(live_server.url + "/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    context.close()
    assert background == "rgb(16, 21, 27)"


def test_error_page_is_styled(page, live_server, demo_site):
    response = page.goto(live_server.url + "/post/does-not-exist")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.locator(".site-header").is_visible()
