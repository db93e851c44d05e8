"""The editor as a desk in a real browser: Write and Preview side by side or switched, the
action bar, two tabs on one post, images (cover, undo), and the keyboard."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Post, PostStatus
from blog.posts.writing import apply_rendering, unique_slug
from tests.e2e.conftest import stored_posts
from tests.media_samples import image_bytes


def add_post(live_app, title="Home blood pressure", body="Measure twice.", **fields) -> int:
    with live_app.app_context():
        post = Post(
            author=db.session.query(Author).first(),
            title=title,
            slug=unique_slug(title),
            body_md=body,
            **fields,
        )
        apply_rendering(post)
        db.session.add(post)
        db.session.commit()
        post_id = post.id
        db.session.remove()
    return post_id


def box(page, selector):
    return page.locator(selector).bounding_box()


def test_write_and_preview_side_by_side_at_1280(signed_in_page, live_server):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/posts/new")
    expect(page.get_by_role("tablist")).to_be_hidden()
    write, preview = box(page, "#pane-write"), box(page, "#pane-preview")
    assert write["x"] + write["width"] <= preview["x"]  # side by side
    assert abs(write["y"] - preview["y"]) < 1 and write["width"] > 500
    page.fill("#title", "Salt")
    page.locator("#body").fill("## Less salt\n\nMost of it is in bread.")
    expect(page.locator("#preview h2")).to_contain_text("Less salt")
    expect(page.locator("#preview-post-title")).to_have_text("Salt")
    assert page.js_errors == []


def test_write_preview_switch_at_390(signed_in_page, live_server):
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/admin/posts/new")
    tabs = page.get_by_role("tablist", name="Write or preview")
    write_tab = tabs.get_by_role("tab", name="Write")
    preview_tab = tabs.get_by_role("tab", name="Preview")
    expect(write_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#pane-write")).to_have_attribute("role", "tabpanel")
    expect(page.locator("#pane-preview")).to_be_hidden()
    page.locator("#body").fill("A *short* note.")
    # Keyboard: one tab stop, the arrow key moves and shows the other pane.
    write_tab.focus()
    page.keyboard.press("ArrowRight")
    expect(preview_tab).to_be_focused()
    expect(preview_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#pane-write")).to_be_hidden()
    expect(page.locator("#preview em")).to_have_text("short")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#body")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # Widening the window puts the two panes side by side again.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("tablist")).to_be_hidden()
    expect(page.locator("#pane-preview")).to_be_visible()
    assert page.js_errors == []


def test_publish_now_on_a_scheduled_post(signed_in_page, live_server, live_app):
    page = signed_in_page
    post_id = add_post(
        live_app, status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=5)
    )
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    expect(page.locator("#editor-state")).to_have_text("Scheduled")
    bar = page.locator("#editor-bar")
    expect(bar.get_by_role("button", name="Unschedule")).to_be_visible()
    bar.get_by_role("button", name="Publish now").click()
    expect(page.locator("#save-status")).to_have_text("Published.")
    expect(page.locator("#editor-state")).to_have_text("Published")
    expect(bar.get_by_role("button", name="Unpublish")).to_be_visible()
    [post] = stored_posts(live_app)
    assert post.status == PostStatus.PUBLISHED and post.published_at <= utcnow()
    assert posted == [live_server.url + f"/admin/posts/{post_id}/edit"]  # sent once
    assert page.js_errors == []


def test_a_refused_save_is_explained_beside_the_buttons_and_sent_once(
    signed_in_page, live_server, live_app
):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#body", "Words I must not lose. " * 200)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # far down the page
    posted = []
    saves = re.compile(r"/admin/posts/(new|\d+/edit)$")
    page.on("request", lambda r: posted.append(r.url) if saves.search(r.url) else None)
    page.locator("#editor-bar").get_by_role("button", name="Publish").click()
    problem = page.locator("#save-problem")
    expect(problem).to_contain_text("The post was not saved")
    expect(problem.get_by_role("link", name="Title")).to_be_visible()
    expect(page.locator("#save-status")).to_have_text("Not saved")
    assert problem.get_attribute("role") == "alert"
    assert page.locator("#save-status").get_attribute("aria-live") == "polite"
    top = box(page, "#save-problem")["y"]
    assert 0 <= top < 200  # in view, beside the buttons, whatever the scroll
    expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
    assert len(posted) == 1
    assert all(post.status == PostStatus.DRAFT for post in stored_posts(live_app))
    problem.get_by_role("link", name="Title").click()
    expect(page.locator("#title")).to_be_focused()


def test_two_tabs_on_one_post_never_overwrite_each_other(signed_in_page, live_server, live_app):
    first = signed_in_page
    post_id = add_post(live_app, body="Check your cuff size.")
    url = live_server.url + f"/admin/posts/{post_id}/edit"
    first.goto(url)
    second = first.context.new_page()
    second.on("dialog", lambda dialog: dialog.accept())
    second.goto(url)
    # The first tab saves a change.
    first.fill("#body", "Check your cuff size before every reading.")
    first.locator("#editor-bar").get_by_role("button", name="Save draft").click()
    expect(first.locator("#save-status")).to_have_text("Draft saved.")
    # The second, opened before, tries to save its own: it is shown both versions.
    second.fill("#body", "Check your cuff size and sit still.")
    second.locator("#editor-bar").get_by_role("button", name="Save draft").click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text("This post changed in another tab or window")
    expect(conflict.locator(".diff del").first).to_contain_text("before")
    expect(conflict.locator(".diff ins").first).to_contain_text("and")
    expect(conflict).to_be_focused()
    [post] = stored_posts(live_app)
    assert post.body_md == "Check your cuff size before every reading."
    # Keep mine: saved over, explicitly.
    conflict.get_by_role("button", name="Keep mine").click()
    expect(second.locator("#save-status")).to_have_text("Draft saved.")
    [post] = stored_posts(live_app)
    assert post.body_md == "Check your cuff size and sit still."
    # The first tab is stale now: its autosave meets the conflict view and stops.
    first.locator("#body").press("End")
    first.keyboard.type(" Twice.")
    expect(first.locator("#save-status")).to_have_text("Autosave paused", timeout=10_000)
    expect(first.locator("#conflict")).to_be_visible()
    expect(first.locator("#save-problem")).to_contain_text("Autosave paused")
    [post] = stored_posts(live_app)
    assert post.body_md == "Check your cuff size and sit still."
    # Keep theirs reloads the saved version.
    first.locator("#conflict").get_by_role("link", name="Keep theirs").click()
    expect(first.locator("#body")).to_have_value("Check your cuff size and sit still.")
    expect(first.locator("#local-copy")).to_be_hidden()
    # The 409 answers are logged by the browser; no script failed.
    assert [e for e in first.js_errors if "status of 409" not in e] == []


def upload_in_dialog(page, name="cuff.png", alt="A cuff", caption=""):
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add an image", exact=True).click()
    chooser.value.set_files(
        {"name": name, "mimeType": "image/png", "buffer": image_bytes((900, 600), fmt="PNG")}
    )
    dialog = page.get_by_role("dialog", name="Describe this image")
    expect(dialog.locator("img.media-dialog__image")).to_have_attribute("src", re.compile("^blob:"))
    dialog.get_by_label("Alt text (required)").fill(alt)
    if caption:
        dialog.get_by_label("Caption (optional)").fill(caption)
    dialog.get_by_role("button", name="Upload image").click()
    expect(page.locator(".media-status--success")).to_be_visible()


def test_cover_from_a_fresh_upload(signed_in_page, live_server, live_app):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    page.fill("#title", "Cuffs")
    page.locator("#body").click()
    upload_in_dialog(page, alt="An upper-arm cuff", caption="Size matters")
    expect(page.locator("#body")).to_have_value(
        re.compile(r'^!\[An upper-arm cuff\]\(/media/[0-9a-f]{20}-900\.png "Size matters"\)$')
    )
    expect(page.locator("#preview figcaption")).to_have_text("Size matters")
    # The new image is a cover choice at once, shown as a thumbnail.
    choice = page.get_by_role("radio", name="An upper-arm cuff")
    expect(choice).to_have_count(1)
    thumb = page.locator("#cover-options img[alt='An upper-arm cuff']")
    expect(thumb).to_have_attribute("src", re.compile(r"/media/[0-9a-f]{20}-480\.png$"))
    choice.check()
    page.locator("#editor-bar").get_by_role("button", name="Save draft").click()
    expect(page.locator("#save-status")).to_have_text("Draft saved.")
    [post] = stored_posts(live_app)
    assert post.cover_media_id is not None
    expect(page.get_by_role("radio", name="An upper-arm cuff")).to_be_checked()
    assert page.js_errors == []


def test_ctrl_z_undoes_an_inserted_image(signed_in_page, live_server):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    body = page.locator("#body")
    body.click()
    page.keyboard.type("Typed first.")
    upload_in_dialog(page, alt="A cuff")
    expect(body).to_have_value(re.compile(r"^Typed first\.\n\n!\[A cuff\]\(/media/"))
    body.focus()
    page.keyboard.press("Control+z")
    expect(body).to_have_value("Typed first.")
    page.keyboard.press("Control+Shift+z")
    expect(body).to_have_value(re.compile(r"!\[A cuff\]"))
    # The toolbar's insertions undo the same way.
    page.get_by_role("toolbar").get_by_role("button", name="Bold").click()
    expect(body).to_have_value(re.compile(r"\*\*bold text\*\*$"))
    page.keyboard.press("Control+z")
    expect(body).not_to_have_value(re.compile(r"\*\*bold text\*\*"))


def test_the_keyboard_path_to_the_text(signed_in_page, live_server):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the text")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#body")).to_be_focused()
    # The toolbar is one tab stop; the arrow keys move inside it.
    toolbar = page.get_by_role("toolbar", name="Formatting")
    bold = toolbar.get_by_role("button", name="Bold")
    bold.focus()
    page.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="Italic")).to_be_focused()
    page.keyboard.press("End")
    expect(toolbar.get_by_role("button", name="Add an image")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#body")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Add an image")).to_be_focused()
    assert toolbar.locator('button[tabindex="0"]').count() == 1
    # The text area's focus rings its pane, as every other field's ring does.
    page.locator("#body").focus()
    assert focus_ring(page, "#pane-write") == accent_ring(page)
    assert page.evaluate("getComputedStyle(document.querySelector('#body')).outlineStyle") == "none"


# A colour as the page computes it, and the ring a focused element shows.
RING_JS = """([selector, name]) => {
  const probe = document.createElement('span');
  probe.style.color = `var(${name})`;
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  if (!selector) return color;
  const style = getComputedStyle(document.querySelector(selector));
  return [style.outlineStyle, style.outlineWidth, style.outlineColor];
}"""
ORANGE = {"rgb(194, 65, 12)", "rgb(251, 146, 60)"}  # the site's --focus, light and dark


def focus_ring(page, selector):
    return page.evaluate(RING_JS, [selector, ""])


def accent_ring(page):
    return ["solid", "3px", page.evaluate(RING_JS, [None, "--accent"])]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_rings_are_the_accent_never_the_orange_of_errors(signed_in_page, live_server, scheme):
    page = signed_in_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/admin/posts/new")
    assert page.evaluate(RING_JS, [None, "--accent"]) not in ORANGE
    # The Write/Preview switch, reached with the keyboard.
    page.locator("#title").focus()
    assert focus_ring(page, "#title") == accent_ring(page)
    page.keyboard.press("Tab")
    expect(page.locator("#tab-write")).to_be_focused()
    assert focus_ring(page, "#tab-write") == accent_ring(page)
    # The image dialog's fields and buttons.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add an image", exact=True).click()
    chooser.value.set_files(
        {"name": "cuff.png", "mimeType": "image/png", "buffer": image_bytes((90, 60), fmt="PNG")}
    )
    dialog = page.get_by_role("dialog", name="Describe this image")
    alt = dialog.get_by_label("Alt text (required)")
    expect(alt).to_be_focused()
    assert focus_ring(page, "#" + alt.get_attribute("id")) == accent_ring(page)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused and focus_ring(page, "#" + focused) == accent_ring(page)


def test_the_editor_is_as_wide_as_the_header_at_1280(signed_in_page, live_server):
    page = signed_in_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/admin/posts/new")
    header = box(page, ".site-header__inner")
    for selector in [".admin-nav", "#workspace", "#post-settings"]:
        part = box(page, selector)
        assert part["x"] >= header["x"], selector
        assert part["x"] + part["width"] <= header["x"] + header["width"], selector
    assert box(page, "#workspace")["width"] == box(page, ".admin-nav")["width"]


def test_the_first_autosave_makes_it_an_edit_page(signed_in_page, live_server, live_app):
    page = signed_in_page
    page.goto(live_server.url + "/admin/posts/new")
    expect(page.locator("#editor-heading")).to_have_text("New post")
    expect(page.locator("#editor-links")).to_be_hidden()
    page.fill("#title", "Iron in pregnancy")
    page.locator("#body").type("Ferritin")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=10_000)
    [post] = stored_posts(live_app)
    expect(page).to_have_url(live_server.url + f"/admin/posts/{post.id}/edit")
    expect(page.locator("#editor-heading")).to_have_text("Iron in pregnancy")
    links = page.locator("#editor-links")
    expect(links).to_contain_text("/post/iron-in-pregnancy")
    expect(links.get_by_role("link", name="View")).to_have_attribute(
        "href", "/post/iron-in-pregnancy"
    )
    expect(links.get_by_role("link", name="Revisions")).to_have_attribute(
        "href", f"/admin/posts/{post.id}/revisions"
    )
    assert page.title().startswith("Edit “Iron in pregnancy”")
    assert re.search(r"Saved at \d{1,2} \w+ \d{4}, \d\d:\d\d UTC", page.inner_text("#save-status"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_trash_undo_from_the_editor(signed_in_page, live_server, live_app, scheme):
    page = signed_in_page
    page.emulate_media(color_scheme=scheme)
    post_id = add_post(live_app)
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    page.get_by_role("button", name="Move to trash").click()
    message = page.locator(".flash--undo")
    expect(message).to_contain_text("was moved to the trash.")
    message.get_by_role("button", name="Undo").click()
    expect(page).to_have_url(live_server.url + f"/admin/posts/{post_id}/edit")
    expect(page.locator("#save-status")).to_contain_text("restored from the trash")
    assert page.get_by_role("navigation", name="Admin").get_by_role("link", name="Trash").count()


@pytest.mark.parametrize("status", ["draft", "scheduled", "published"])
def test_the_action_bar_fits_a_phone(signed_in_page, live_server, live_app, status):
    page = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    when = {"draft": None, "scheduled": utcnow() + timedelta(days=2), "published": utcnow()}
    post_id = add_post(live_app, status=status, published_at=when[status])
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    for button in page.locator(".editor-bar__actions > button, .when-menu__toggle").all():
        place = button.bounding_box()
        assert place["x"] >= 0 and place["x"] + place["width"] <= 390, button.inner_text()
