"""Search, contents and sharing in a real browser."""

import pytest


@pytest.mark.parametrize("width", [375, 1280])
def test_reader_searches_from_the_header(page, live_server, demo_site, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/")
    if width < 600:  # phones: the header's button opens the search page, its box focused
        page.get_by_role("banner").get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?q=")
        box = page.get_by_role("searchbox", name="Search for")
        assert box.evaluate("(element) => element === document.activeElement")
    else:
        box = page.get_by_role("searchbox", name="Search posts")
    box.fill("blood pressure")
    box.press("Enter")
    page.wait_for_url("**/search?q=blood+pressure")
    first = page.locator(".search-result").first
    assert first.locator(".search-result__title").inner_text() == (
        "Understanding your blood pressure numbers"
    )
    marks = first.locator("mark").all_inner_texts()
    assert {"blood", "pressure"} <= {mark.lower() for mark in marks}
    assert page.get_by_role("status").first.inner_text().endswith("found")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    first.locator(".search-result__title a").click()
    page.wait_for_url("**/post/understanding-blood-pressure")
    assert page.js_errors == []


def test_contents_link_jumps_to_its_section(page, live_server, demo_site):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/post/understanding-blood-pressure")
    contents = page.get_by_role("navigation", name="Contents")
    link = contents.get_by_role("link", name="When to see a doctor")
    link.click()
    page.wait_for_function("() => location.hash === '#when-to-see-a-doctor'")
    heading = page.locator("#when-to-see-a-doctor")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('when-to-see-a-doctor')"
        ".getBoundingClientRect().top) < 80"
    )
    assert heading.is_visible()
    anchor = heading.get_by_role("link", name="Link to this section: When to see a doctor")
    assert anchor.get_attribute("href") == "#when-to-see-a-doctor"


def test_copy_link_says_copied(browser, live_server, demo_site):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    url = live_server.url + "/post/understanding-blood-pressure"
    page.goto(url)
    status = page.locator("[data-share-status]")
    assert status.inner_text() == ""
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function(
        "() => document.querySelector('[data-share-status]').textContent === 'Copied'"
    )
    assert status.is_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert errors == []
    context.close()


def test_share_buttons_stay_hidden_without_javascript(browser, live_server, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/post/understanding-blood-pressure")
    assert not page.get_by_role("button", name="Copy link").is_visible()
    assert page.get_by_role("link", name="Email").is_visible()
    context.close()
