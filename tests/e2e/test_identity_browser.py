"""The clinician's identity in Chromium: the author uploads her photo and favicon and
writes a page; a reader sees the photo in the byline, the author box and on About, finds
the page in the menu and opens it; the feed opens as a page that explains itself."""

import io

import pytest
from PIL import Image

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Post, PostStatus
from blog.posts.writing import apply_rendering

PHOTO_COLOUR = (180, 90, 60)


def picture_file(tmp_path, name: str, size, colour=PHOTO_COLOUR):
    path = tmp_path / name
    Image.new("RGB", size, colour).save(path, "PNG" if name.endswith(".png") else "JPEG")
    return str(path)


def add_post(live_app) -> None:
    with live_app.app_context():
        author = db.session.query(Author).filter(Author.email == "ada@example.org").one()
        post = Post(
            author=author,
            title="Palpitations",
            slug="palpitations",
            body_md="Most are harmless.",
            status=PostStatus.PUBLISHED,
            published_at=utcnow(),
        )
        db.session.add(post)
        apply_rendering(post)
        db.session.commit()
        db.session.remove()


def upload_picture(page, kind: str, path: str) -> None:
    card = page.locator(f"#picture-{kind}")
    card.locator("input[type=file]").set_input_files(path)
    card.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/admin/settings#pictures")


def save_settings(page, base: str, field: str, value: str) -> None:
    page.fill(field, value)
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url(base + "/admin/settings")


def publish_in_menu(page) -> None:
    """On the page editor: published, in the menu, saved."""
    page.get_by_label("Published").check()
    page.get_by_label("Show in the menu").check()
    page.get_by_role("button", name="Save page").click()


def loaded_image(locator) -> bool:
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


@pytest.fixture
def reader(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_headshot_author_box_and_a_page_in_the_menu(
    signed_in_page, live_server, live_app, reader, tmp_path
):
    page, base = signed_in_page, live_server.url
    page.goto(base + "/admin/settings")
    upload_picture(page, "headshot", picture_file(tmp_path, "me.jpg", (900, 900)))
    assert page.get_by_text("Your photo saved.").is_visible()
    save_settings(page, base, "#short_bio", "Cardiologist in Leeds, writing for patients.")

    page.goto(base + "/admin/pages/new")
    page.fill("#title", "Clinic hours")
    page.fill("#body", "## Hours\n\nMonday to Friday, 8 to 6.")
    page.get_by_role("button", name="Preview").click()
    assert page.locator(".page-preview__body h2").inner_text().startswith("Hours")
    publish_in_menu(page)
    assert page.get_by_text("“Clinic hours” saved.").is_visible()
    add_post(live_app)

    reader.goto(base + "/post/palpitations")
    byline_photo = reader.locator(".byline .headshot img")
    assert loaded_image(byline_photo)
    assert byline_photo.bounding_box()["width"] <= 48  # small, beside the name
    box = reader.get_by_role("complementary", name="About the author")
    assert "Dr. Ada Lovelace" in box.inner_text()
    assert "Cardiologist in Leeds, writing for patients." in box.inner_text()
    assert loaded_image(box.locator(".headshot img"))
    box.get_by_role("link", name="More about Dr. Ada Lovelace").click()
    reader.wait_for_url(base + "/about")
    assert loaded_image(reader.get_by_role("img", name="Photo of Dr. Ada Lovelace"))

    menu = reader.get_by_role("navigation", name="Main")
    assert menu.get_by_role("link").all_inner_texts() == [
        "Posts",
        "Archive",
        "About",
        "Clinic hours",
    ]
    menu.get_by_role("link", name="Clinic hours").click()
    reader.wait_for_url(base + "/page/clinic-hours")
    assert reader.locator("h1").inner_text() == "Clinic hours"
    assert "Monday to Friday, 8 to 6." in reader.locator("main").inner_text()
    assert menu.get_by_role("link", name="Clinic hours").get_attribute("aria-current") == "page"


def test_the_favicon_is_served_default_then_uploaded(signed_in_page, live_server, reader, tmp_path):
    base = live_server.url
    default = reader.request.get(base + "/favicon.ico")
    assert default.status == 200 and default.headers["content-type"] == "image/vnd.microsoft.icon"
    signed_in_page.goto(base + "/admin/settings")
    icon = picture_file(tmp_path, "icon.png", (400, 300), (20, 120, 200))
    upload_picture(signed_in_page, "favicon", icon)
    reader.goto(base + "/")
    href = reader.locator("link[rel=icon]").get_attribute("href")
    response = reader.request.get(base + href)
    assert response.status == 200 and "immutable" in response.headers["cache-control"]
    assert Image.open(io.BytesIO(response.body())).size == (32, 32)
    touch = reader.locator("link[rel=apple-touch-icon]").get_attribute("href")
    assert Image.open(io.BytesIO(reader.request.get(base + touch).body())).size == (180, 180)
    uploaded = reader.request.get(base + "/favicon.ico")
    assert uploaded.headers["content-type"] == "image/png"


def test_opening_the_feed_shows_a_page_with_its_address(page, live_server, post_with_comment):
    base = live_server.url
    page.goto(base + "/feed.xml")
    heading = page.locator("h1")
    assert heading.inner_text().startswith("Follow ")
    assert "Copy this address into your feed reader" in page.locator("main").inner_text()
    assert page.locator("#feed-address").input_value() == base + "/feed.xml"
    assert page.get_by_role("button", name="Copy").is_visible()  # its script ran
    assert page.locator(".feed-entry").count() >= 1
    # The site's stylesheet applies (allowed by the CSP): not the browser's serif default.
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "serif" != font.split(",")[0].strip().lower() and "Times" not in font


def test_at_desktop_width_a_logo_a_long_title_and_a_page_keep_the_header_on_one_row(
    signed_in_page, live_server, reader, tmp_path
):
    page, base = signed_in_page, live_server.url
    page.goto(base + "/admin/settings")
    upload_picture(page, "logo", picture_file(tmp_path, "logo.png", (300, 80)))
    save_settings(page, base, "#site_title", "Family Practice Notes")
    page.goto(base + "/admin/pages/new")
    page.fill("#title", "Clinic hours")
    page.fill("#body", "Monday to Friday, 8 to 6.")
    publish_in_menu(page)

    reader.set_viewport_size({"width": 1280, "height": 800})
    reader.goto(base + "/")
    title = reader.locator(".site-title").bounding_box()
    nav = reader.get_by_role("navigation", name="Main").bounding_box()
    search = reader.get_by_role("search").bounding_box()
    assert search["y"] < title["y"] + title["height"]  # beside the title, not under it
    assert search["x"] >= nav["x"] + nav["width"]
    assert reader.get_by_role("searchbox").bounding_box()["width"] >= 96
