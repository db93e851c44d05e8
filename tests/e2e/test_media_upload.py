"""media-upload.js in a real browser: button, paste and drop upload with alt text asked in
a dialog, Markdown inserted at the cursor, failures announced with the text untouched.

The editor page belongs to another area, so these tests serve a minimal page with the same
contract: a textarea with data-upload-url, a csrf-token meta tag and the script.
"""

import base64
import io
import re

import pytest
from flask import redirect, render_template_string, request
from flask_login import login_user
from flask_wtf.csrf import generate_csrf
from PIL import Image

from blog.accounts import sessions
from blog.extensions import db
from blog.models import Author

START_TEXT = "First paragraph.\n\nSecond paragraph."
EDITOR_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Editor</title>
<meta name="csrf-token" content="{{ csrf }}">
<link rel="stylesheet" href="/static/css/site.css">
<link rel="stylesheet" href="/static/css/admin.css">
<link rel="icon" href="/static/images/favicon.svg" type="image/svg+xml">
</head><body><main class="site-main">
<form method="post"><label for="body">Body</label>
<textarea id="body" name="body" rows="8" data-upload-url="/admin/media">{{ text }}</textarea>
</form></main>
<script src="/static/js/text-insert.js" defer></script>
<script src="/static/js/media-upload.js" defer></script></body></html>"""


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def editor_app(live_app):
    """The live app with a sign-in shortcut and a bare editor page (before it serves)."""
    with live_app.app_context():
        author = Author(name="Dr. Ada", email="ada@example.org", password_hash="x")
        db.session.add(author)
        db.session.commit()
        author_id = author.id
        db.session.remove()

    def test_sign_in():
        author = db.session.get(Author, author_id)
        sessions.start(author, False, request.user_agent.string)
        db.session.commit()
        login_user(author)
        return redirect(request.args.get("next", "/_test/editor"))

    def test_editor():
        return render_template_string(EDITOR_PAGE, csrf=generate_csrf(), text=START_TEXT)

    live_app.add_url_rule("/_test/sign-in", view_func=test_sign_in)
    live_app.add_url_rule("/_test/editor", view_func=test_editor)
    return live_app


@pytest.fixture
def editor(editor_app, live_server, page):
    page.goto(live_server.url + "/_test/sign-in")
    page.wait_for_selector("button.media-add")
    return page


def jpeg(size=(1200, 800)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


def put_cursor_after(page, text: str) -> None:
    page.evaluate(
        """(text) => {
          const t = document.querySelector('#body');
          const at = t.value.indexOf(text) + text.length;
          t.focus();
          t.setSelectionRange(at, at);
        }""",
        text,
    )


def textarea_value(page) -> str:
    return page.eval_on_selector("#body", "t => t.value")


def choose_file(page, name: str, data: bytes, mime="image/jpeg") -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Add image").click()
    chooser.value.set_files({"name": name, "mimeType": mime, "buffer": data})


def status(page):
    return page.locator(".media-status")


def test_button_asks_for_alt_text_and_inserts_markdown_at_the_cursor(editor):
    put_cursor_after(editor, "First paragraph.")
    choose_file(editor, "cuff.jpg", jpeg())
    dialog = editor.get_by_role("dialog", name="Describe this image")
    assert dialog.is_visible()
    assert "cuff.jpg" in dialog.inner_text()
    dialog.get_by_role("button", name="Upload image").click()
    error = editor.locator("#media-dialog-error")
    assert error.is_visible()
    assert "Alt text is required" in error.inner_text()
    assert dialog.is_visible()
    assert textarea_value(editor) == START_TEXT
    dialog.get_by_label("Alt text (required)").fill("Cuff on a bare upper arm")
    with editor.expect_request("**/admin/media") as upload:
        dialog.get_by_role("button", name="Upload image").click()
    assert upload.value.headers.get("x-requested-with") == "fetch"
    editor.wait_for_selector(".media-status--success")
    assert "Image inserted" in status(editor).inner_text()
    value = textarea_value(editor)
    match = re.fullmatch(
        r"First paragraph\.\n\n!\[Cuff on a bare upper arm\]\((/media/[0-9a-f]{20}-1200\.jpg)\)"
        r"\n\nSecond paragraph\.",
        value,
    )
    assert match, value
    served = editor.request.get(editor.url.split("/_test")[0] + match.group(1))
    assert served.status == 200
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert editor.js_errors == []


def test_a_refused_file_is_announced_and_the_text_is_untouched(editor):
    put_cursor_after(editor, "Second")
    html = b"<!doctype html><script>alert(1)</script>"
    choose_file(editor, "photo.jpg", html)
    editor.get_by_label("Alt text (required)").fill("Something")
    editor.get_by_role("button", name="Upload image").click()
    editor.wait_for_selector(".media-status--error")
    message = status(editor).inner_text()
    assert "not a JPEG, PNG, WebP or GIF image" in message
    assert "Your text was not changed." in message
    assert status(editor).get_attribute("aria-live") == "polite"
    assert textarea_value(editor) == START_TEXT


def test_too_large_upload_shows_the_limit(editor, editor_app):
    editor_app.config.update(MAX_UPLOAD_MB=0.05, MAX_CONTENT_LENGTH=52428)
    choose_file(editor, "big.jpg", jpeg((1400, 1400)) + bytes(60_000))
    editor.get_by_label("Alt text (required)").fill("A big photo")
    editor.get_by_role("button", name="Upload image").click()
    editor.wait_for_selector(".media-status--error")
    message = status(editor).inner_text()
    assert "larger than the 0.05 MB upload limit" in message, message
    assert textarea_value(editor) == START_TEXT


def test_cancelling_the_dialog_changes_nothing(editor):
    choose_file(editor, "cuff.jpg", jpeg())
    editor.keyboard.press("Escape")
    editor.wait_for_selector(".media-status")
    assert "Upload cancelled" in status(editor).inner_text()
    assert not editor.get_by_role("dialog").is_visible()
    assert textarea_value(editor) == START_TEXT


DISPATCH = """([kind, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "clipboard.png", { type: "image/png" }));
  const t = document.querySelector('#body');
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true });
  t.dispatchEvent(event);
}"""


@pytest.mark.parametrize("kind", ["paste", "drop"])
def test_pasted_or_dropped_images_are_uploaded_too(editor, kind):
    buffer = io.BytesIO()
    Image.new("RGBA", (300, 200), (200, 30, 30, 128)).save(buffer, "PNG")
    put_cursor_after(editor, "Second paragraph.")
    editor.evaluate(DISPATCH, [kind, base64.b64encode(buffer.getvalue()).decode()])
    editor.get_by_label("Alt text (required)").fill("A red square")
    editor.keyboard.press("Enter")
    editor.wait_for_selector(".media-status--success")
    assert re.fullmatch(
        r"First paragraph\.\n\nSecond paragraph\.\n\n"
        r"!\[A red square\]\(/media/[0-9a-f]{20}-300\.png\)",
        textarea_value(editor),
    )


def test_pasting_text_that_comes_with_a_picture_pastes_the_text(editor):
    pasted = editor.evaluate(
        """() => {
          const data = new DataTransfer();
          data.setData("text/plain", "copied words");
          data.items.add(new File([new Uint8Array(8)], "cells.png", { type: "image/png" }));
          const event = new ClipboardEvent("paste", { clipboardData: data, cancelable: true });
          document.querySelector('#body').dispatchEvent(event);
          return !event.defaultPrevented;
        }"""
    )
    assert pasted  # the browser's own paste goes ahead
    assert not editor.get_by_role("dialog").is_visible()


def test_library_upload_form_asks_alt_text_in_the_dialog(editor, live_server):
    editor.goto(live_server.url + "/admin/media/library")
    assert not editor.locator("[data-alt-field]").is_visible()
    editor.get_by_label("Image", exact=True).set_input_files(
        {"name": "scan.jpg", "mimeType": "image/jpeg", "buffer": jpeg((900, 600))}
    )
    editor.get_by_role("button", name="Upload", exact=True).click()
    editor.get_by_label("Alt text (required)").fill("A scanned leaflet")
    editor.get_by_role("button", name="Upload image").click()
    editor.wait_for_selector(".media-card:target")
    card = editor.locator(".media-card").first
    assert "scan.jpg" in card.inner_text()
    assert card.get_by_label("Alt text").input_value() == "A scanned leaflet"
    assert editor.js_errors == []
