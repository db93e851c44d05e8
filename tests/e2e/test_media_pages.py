"""Readers' browsers pick the right file from the responsive markup of uploaded images."""

import io

import pytest
from PIL import Image

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Post, PostStatus
from blog.posts import images
from blog.posts.writing import apply_rendering


@pytest.fixture
def post_with_images(live_app, tmp_path):
    """A published post with an uploaded photo in its text and as its cover."""
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1600), (40, 110, 150)).save(buffer, "JPEG")
    with live_app.app_context():
        media = images.store_upload(
            buffer.getvalue(),
            "walk.jpg",
            "A path through a park",
            live_app.config["MEDIA_DIR"],
            live_app.config["MAX_IMAGE_PIXELS"],
        )
        db.session.flush()
        post = Post(
            author=Author(name="Dr. Test"),
            title="Walking",
            slug="walking",
            body_md=f'Intro.\n\n![A path](/media/{media.name}-1600.jpg "Twenty minutes a day")\n',
            status=PostStatus.PUBLISHED,
            published_at=utcnow(),
            cover_media_id=media.id,
        )
        db.session.add(post)
        apply_rendering(post)
        db.session.commit()
        name = media.name
        db.session.remove()
    return name


LOADED = """() => Promise.all([...document.images].map(img => {
  img.loading = "eager";
  return img.decode().then(() => [img.currentSrc.split("/").pop(), img.naturalWidth,
                                  img.clientWidth, img.clientHeight]);
}))"""


@pytest.mark.parametrize(
    ("width", "scale", "expected"),
    [(375, 1, "480"), (375, 3, "1600"), (1280, 1, "960"), (1280, 2, "1600")],
)
def test_browser_loads_the_webp_that_fits(
    browser, live_server, post_with_images, width, scale, expected
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, device_scale_factor=scale
    )
    page = context.new_page()
    page.goto(live_server.url + "/post/walking")
    loaded = page.evaluate(LOADED)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    caption = page.locator(".prose figcaption").inner_text()
    context.close()
    assert len(loaded) == 2  # the cover and the figure
    for src, natural, shown_width, shown_height in loaded:
        assert src == f"{post_with_images}-{expected}.webp"
        assert natural > 0  # decoded (its size is reported in CSS pixels)
        assert abs(shown_height - shown_width * 2 / 3) <= 2  # width/height kept the ratio
    assert overflow <= 0
    assert caption == "Twenty minutes a day"


def test_home_card_shows_the_cover(page, live_server, post_with_images):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(live_server.url + "/")
    cover = page.locator(".card__cover img")
    assert cover.count() == 1
    box = cover.bounding_box()
    card = page.locator(".card").first.bounding_box()
    assert abs(box["width"] - card["width"]) <= 2  # edge to edge at the top of the card
    assert abs(box["y"] - card["y"]) <= 2
    assert page.js_errors == []
