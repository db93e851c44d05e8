"""The author's editor in a real browser: preview, autosave, and nothing lost."""

import contextlib
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.conftest import stored_posts


def test_typing_previews_autosaves_and_a_reload_loses_nothing(
    signed_in_page, live_server, live_app
):
    page = signed_in_page
    posted = []
    page.on("request", lambda request: posted.append(request) if request.method == "POST" else 0)
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#title", "Statins after seventy")
    body = page.locator("#body")
    body.click()
    page.keyboard.type("## Who benefits\n\nThe evidence is ")
    page.keyboard.press("Control+b")
    page.keyboard.type("mixed")
    expect(page.locator("#preview h2#who-benefits")).to_contain_text("Who benefits")
    expect(page.locator("#preview strong")).to_have_text("mixed")
    expect(page.locator("#word-count")).to_have_text("6 words")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    # The first autosave made a draft and moved the page to its edit address.
    assert "/admin/posts/" in page.url and page.url.endswith("/edit")
    expect(page.locator("#editor-heading")).to_have_text("Statins after seventy")
    expect(page.locator("#editor-slug")).to_have_text("statins-after-seventy")
    # An edit page, no longer "New post" in the admin navigation.
    expect(page.locator(".admin-nav [aria-current=page]")).to_have_count(0)
    typed = body.input_value()
    assert typed == "## Who benefits\n\nThe evidence is **mixed**"
    page.reload()
    expect(page.locator("#body")).to_have_value(typed)
    expect(page.locator("#title")).to_have_value("Statins after seventy")
    expect(page.locator("#local-copy")).to_be_hidden()
    assert page.dialogs == []  # autosaved, so leaving did not warn
    # Saving with the button lands on the editor with a confirmation beside the buttons.
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(page.locator("#save-status")).to_have_text("Draft saved.")
    [post] = stored_posts(live_app)
    assert post.body_md == typed and post.status == "draft"
    assert page.js_errors == []
    # Every script request says so: the server's one rule for answering in JSON.
    paths = {request.url.removeprefix(live_server.url) for request in posted}
    assert paths == {"/admin/preview", "/admin/posts/autosave", f"/admin/posts/{post.id}/edit"}
    assert {request.headers.get("x-requested-with") for request in posted} == {"fetch"}


def test_a_slow_older_preview_never_replaces_a_newer_one(signed_in_page, live_server):
    page = signed_in_page
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)  # answered below, after the newer preview

    page.route("**/admin/preview", hold_the_first)
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#body", "Older text")
    for _ in range(100):  # the preview waits for a pause in typing
        if held:
            break
        page.wait_for_timeout(50)
    assert held
    page.fill("#body", "Newer text, three more words")
    expect(page.locator("#preview")).to_have_text("Newer text, three more words")
    late = held[0].fetch()
    assert "Older text" in late.text()
    with contextlib.suppress(PlaywrightError):  # the script may have aborted it already
        held[0].fulfill(response=late)
    page.wait_for_timeout(300)
    expect(page.locator("#preview")).to_have_text("Newer text, three more words")
    expect(page.locator("#word-count")).to_have_text("5 words")
    expect(page.locator("#preview")).not_to_have_class(re.compile("stale"))
    assert page.js_errors == []


@pytest.mark.parametrize(
    ("content_type", "body", "said"),
    [
        ("text/html", "<h1>503 Service Unavailable</h1>", "could not save (error 503)"),
        ("application/json", '{"error": "The site can\'t save right now."}', "can't save right"),
    ],
)
def test_server_failure_keeps_a_copy_in_the_browser_and_offers_it_back(
    signed_in_page, live_server, live_app, content_type, body, said
):
    """A proxy's error page, or the site's own message when it can't save."""
    page = signed_in_page
    page.route(
        "**/admin/posts/autosave",
        lambda route: route.fulfill(status=503, content_type=content_type, body=body),
    )
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#title", "Iron in pregnancy")
    page.locator("#body").click()
    page.keyboard.type("Ferritin below 30 means")
    status = page.locator("#save-status")
    expect(status).to_contain_text(said, timeout=10_000)
    expect(status).to_contain_text("A copy is kept in this browser")
    assert stored_posts(live_app) == []
    page.reload()
    assert "beforeunload" in page.dialogs  # unsaved text: leaving warned first
    offer = page.locator("#local-copy")
    expect(offer).to_be_visible()
    expect(page.locator("#body")).to_have_value("")
    page.get_by_role("button", name="Restore the browser's copy").click()
    expect(page.locator("#body")).to_have_value("Ferritin below 30 means")
    expect(page.locator("#title")).to_have_value("Iron in pregnancy")
    expect(offer).to_be_hidden()


def test_save_while_the_server_is_down_says_so_and_keeps_the_text(signed_in_page, live_server):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    page.route("**/admin/posts/**", lambda route: route.abort("connectionrefused"))
    page.fill("#title", "Offline")
    page.fill("#body", "Written on the train")
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(page.locator("#save-problem")).to_contain_text("can't be reached")
    expect(page.locator("#save-status")).to_have_text("Not saved")
    assert page.url.endswith("/admin/posts/new")
    expect(page.locator("#body")).to_have_value("Written on the train")


def test_toolbar_buttons_have_names_and_insert_markdown(signed_in_page, live_server):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    for name in ("Bold", "Italic", "Heading", "Link", "Quote", "Bulleted list",
                 "Numbered list", "Footnote", "Add an image"):  # fmt: skip
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()
    page.locator("#body").click()
    toolbar.get_by_role("button", name="Footnote", exact=True).click()
    expect(page.locator("#body")).to_have_value(
        "[^1]\n\n[^1]: Reference: authors, title, journal, year."
    )
    page.fill("#meta_description", "x" * 130)
    expect(page.locator("#meta-counter")).to_contain_text("130 characters, a good length")


@pytest.mark.parametrize("width", [375, 1280])
def test_admin_pages_fit_the_screen(signed_in_page, live_server, live_app, width):
    page = signed_in_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#title", "A fairly long title about blood pressure measurement at home")
    page.fill("#body", "Some text\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    page.get_by_role("button", name="Save draft", exact=True).click()
    expect(page.locator("#save-status")).to_have_text("Draft saved.")
    post_id = page.url.removesuffix("/edit").rsplit("/", 1)[-1]
    post_pages = [f"/admin/posts/{post_id}/edit", f"/admin/posts/{post_id}/revisions"]
    for path in ["/admin/", "/admin/posts/new", "/admin/settings", "/admin/trash", *post_pages]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    assert page.js_errors == []


def test_the_editor_works_without_javascript(browser, live_server, live_app, signed_in_page):
    cookies = signed_in_page.context.cookies()
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(live_server.url + "/admin/posts/new")
    expect(page.get_by_role("toolbar")).to_be_hidden()
    page.fill("#title", "Plain form")
    page.fill("#body", "Line one\nLine two")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator("#save-status")).to_have_text("Published.")
    [post] = stored_posts(live_app)
    assert post.body_md == "Line one\nLine two" and post.status == "published"
    context.close()


def test_image_button_uploads_and_inserts_markdown_at_the_cursor(signed_in_page, live_server):
    from tests.media_samples import image_bytes

    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#body", "Before.\n\nAfter.")
    page.locator("#body").evaluate("el => el.setSelectionRange(8, 8)")
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add an image", exact=True).click()
    chooser.value.set_files(
        {"name": "cuff.png", "mimeType": "image/png", "buffer": image_bytes(fmt="PNG")}
    )
    page.get_by_role("button", name="Upload image").click()
    expect(page.locator("#media-dialog-error")).to_be_visible()  # alt text is required
    page.fill("#media-dialog-alt", "A blood pressure cuff")
    page.get_by_role("button", name="Upload image").click()
    expect(page.locator("#body")).to_have_value(
        re.compile(r"^Before\.\n\n!\[A blood pressure cuff\]\(/media/[0-9a-f]{20}-640\.png\)")
    )
    assert page.locator("#body").input_value().rstrip().endswith("After.")


PLANT = """() => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = "/admin/posts/new";
  for (const [name, value] of [["title", "Planted"], ["body", "Planted text"]]) {
    const input = document.createElement("input");
    input.name = name;
    input.value = value;
    form.appendChild(input);
  }
  document.body.appendChild(form);
  form.submit();
}"""


def test_text_a_signed_out_request_sent_is_never_kept_in_the_browser(
    browser, live_server, signed_in_page
):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.evaluate(PLANT)
    expect(page.locator("#body")).to_have_value("Planted text")  # given back, not saved
    page.locator("#body").press_sequentially(" and more")
    page.wait_for_timeout(1500)
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('rounds:'))")
    assert stored == []
    context.close()
    # The author's own browser offers nothing on the same origin either.
    signed_in_page.goto(live_server.url + "/admin/posts/new")
    expect(signed_in_page.locator("#local-copy")).to_be_hidden()
