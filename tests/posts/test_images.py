"""POST /admin/media: what is accepted, what is refused, and what is stored and served."""

import io
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Media
from tests.media_samples import (
    bomb_png,
    gps_jpeg,
    image_bytes,
    open_image,
    two_tone_jpeg,
    upload,
)

STORED_NAME = re.compile(r"^[0-9a-f]{20}-\d+\.(webp|jpg|png)$")


@pytest.fixture
def config_overrides():
    # Small enough that the refused-bomb tests stay fast; every other image here is smaller.
    return {"MAX_IMAGE_PIXELS": 1_000_000}


def media_count() -> int:
    return db.session.scalar(select(func.count(Media.id)))


def stored_files(app) -> list[str]:
    folder = app.config["MEDIA_DIR"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_upload_returns_markdown_and_stores_variants(author_client, app):
    response = upload(author_client, image_bytes((1700, 500)), alt="A validated upper-arm cuff")
    assert response.status_code == 200
    data = response.get_json()
    media = db.session.get(Media, data["id"])
    assert re.fullmatch(r"/media/[0-9a-f]{20}-1600\.jpg", data["url"])
    assert data["markdown"] == f"![A validated upper-arm cuff]({data['url']})"
    assert (data["width"], data["height"]) == (1600, 471)
    assert media.alt == "A validated upper-arm cuff"
    assert media.original_name == "photo.jpg"
    assert media.format == "jpeg"
    assert media.variant_widths == [480, 960, 1600]
    expected = sorted(
        f"{media.name}-{w}.{ext}" for w in (480, 960, 1600) for ext in ("webp", "jpg")
    )
    assert stored_files(app) == expected
    served = author_client.get(data["url"])
    assert served.status_code == 200
    assert open_image(served.data).size == (1600, 471)


def test_served_media_are_cached_for_a_year_and_typed(author_client, client):
    url = upload(author_client, image_bytes((600, 400))).get_json()["url"]
    author_client.get("/")  # nothing about the author's session leaks into media responses
    anonymous = client.application.test_client()
    for path in (url, url.replace(".jpg", ".webp")):
        response = anonymous.get(path)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.get(url).mimetype == "image/jpeg"
    assert anonymous.get(url.replace(".jpg", ".webp")).mimetype == "image/webp"


REFUSED = {
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>',
        "drawing.svg",
        "image/svg+xml",
        "not a JPEG, PNG, WebP or GIF",
    ),
    "html named as jpeg": (
        b"<!doctype html><html><script>alert(document.cookie)</script></html>",
        "photo.jpg",
        "image/jpeg",
        "not a JPEG, PNG, WebP or GIF",
    ),
    "plain text": (b"just some notes", "notes.png", "image/png", "not a JPEG, PNG, WebP or GIF"),
    "random bytes": (os.urandom(4096), "scan.jpg", "image/jpeg", "not a JPEG, PNG, WebP or GIF"),
    "truncated jpeg": (
        image_bytes((400, 300), quality=95)[:1500],
        "cut.jpg",
        "image/jpeg",
        "damaged or incomplete",
    ),
    "truncated png": (
        image_bytes((400, 300), fmt="PNG", color=(10, 200, 30))[:-40],
        "cut.png",
        "image/png",
        "damaged or incomplete",
    ),
    "bmp": (image_bytes((40, 30), fmt="BMP"), "old.bmp", "image/bmp", "not a JPEG, PNG"),
    "empty": (b"", "empty.jpg", "image/jpeg", "empty"),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_anything_that_is_not_a_whole_image_is_refused(author_client, app, kind):
    data, filename, content_type, message = REFUSED[kind]
    response = upload(author_client, data, filename=filename, content_type=content_type)
    assert response.status_code in (400, 415)
    assert message in response.get_json()["error"]
    assert media_count() == 0
    assert stored_files(app) == []


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(bomb_png(20000, 20000), id="400-megapixel-png"),
        pytest.param(image_bytes((1200, 1000), fmt="PNG"), id="just-over-the-limit"),
    ],
)
def test_decompression_bombs_are_refused_with_the_limit(author_client, app, data):
    response = upload(author_client, data, filename="huge.png", content_type="image/png")
    assert response.status_code == 415
    assert response.get_json()["error"] == (
        "This image has too many pixels (the limit is 1 megapixels). Resize it and try again."
    )
    assert media_count() == 0
    assert stored_files(app) == []


def test_no_served_variant_keeps_exif_gps_xmp_or_comments(author_client, app):
    original = gps_jpeg()
    assert b"secret-comment" in original and b"secret-clinic-location" in original
    assert open_image(original).getexif().get_ifd(0x8825)
    media = db.session.get(Media, upload(author_client, original).get_json()["id"])
    files = stored_files(app)
    assert len(files) == 4  # 480 and 800, WebP and JPEG
    for name in files:
        response = author_client.get(f"/media/{name}")
        assert response.status_code == 200
        image = open_image(response.data)
        assert not image.info.get("exif")
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)
        assert "xmp" not in image.info and "XML:com.adobe.xmp" not in image.info
        assert "comment" not in image.info
        for marker in (b"Exif", b"GPS", b"PhoneMaker", b"secret", b"xmpmeta", b"XMP"):
            assert marker not in response.data, (name, marker)
    assert media.name not in media.original_name


@pytest.mark.parametrize(
    ("size", "upright"),
    [((200, 100), (100, 200)), ((6400, 3200), (1600, 3200))],  # the second decoded at 1/2
)
def test_exif_orientation_is_applied_before_the_metadata_goes(author_client, app, size, upright):
    app.config["MAX_IMAGE_PIXELS"] = 40_000_000
    data = upload(author_client, two_tone_jpeg(size, orientation=6)).get_json()
    assert (data.get("width"), data.get("height")) == upright, data
    image = open_image(author_client.get(data["url"]).data).convert("RGB")
    assert image.size == upright
    assert not image.getexif()
    # Orientation 6 means "rotate 90° clockwise to view": the red left half is now on top.
    width, height = upright
    top, bottom = (
        image.getpixel((width // 2, height // 5)),
        image.getpixel((width // 2, height * 4 // 5)),
    )
    assert top[0] > 150 and top[2] < 100
    assert bottom[2] > 150 and bottom[0] < 100


@pytest.mark.parametrize(
    ("width", "expected"),
    [(300, [300]), (480, [480]), (1000, [480, 960, 1000]), (1600, [480, 960, 1600])],
)
def test_images_are_never_upscaled(author_client, app, width, expected):
    data = upload(author_client, image_bytes((width, 200))).get_json()
    media = db.session.get(Media, data["id"])
    assert media.variant_widths == expected
    assert data["width"] == expected[-1]
    for variant in expected:
        served = author_client.get(f"/media/{media.name}-{variant}.webp")
        assert open_image(served.data).width == variant
    assert author_client.get(f"/media/{media.name}-960.webp").status_code == (
        200 if width >= 960 else 404
    )


def test_transparent_png_keeps_alpha_with_a_png_fallback(author_client, app):
    png = image_bytes((500, 300), fmt="PNG", mode="RGBA", color=(0, 120, 200, 80))
    data = upload(author_client, png, filename="diagram.png", content_type="image/png").get_json()
    assert data["url"].endswith("-500.png")
    for suffix in ("-500.png", "-480.webp", "-480.png"):
        image = open_image(author_client.get(data["url"].replace("-500.png", suffix)).data)
        assert image.mode == "RGBA"
        assert image.getpixel((10, 10))[3] == 80


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_a_large_image_with_transparency_keeps_it_through_the_reduction(author_client, app, mode):
    """Images other than JPEG are decoded whole, then reduced a band at a time (here by 3,
    in converted bands for a palette): the colours and the transparency come through."""
    from PIL import Image

    app.config["MAX_IMAGE_PIXELS"] = 40_000_000
    image = Image.new("RGBA", (4800, 1500), (0, 0, 0, 0))
    image.paste((200, 30, 30, 255), (0, 0, 2400, 1500))
    image.paste((30, 30, 200, 128), (2400, 0, 3600, 1500))
    if mode == "P":
        image = image.convert("RGB").quantize(4)
        image.info["transparency"] = image.getpixel((4000, 10))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=image.info.get("transparency"))
    data = upload(author_client, buffer.getvalue(), filename="a.png", content_type="image/png")
    data = data.get_json()
    assert (data["width"], data["height"]) == (1600, 500)
    stored = open_image(author_client.get(data["url"]).data)
    assert stored.mode == "RGBA"
    assert stored.getpixel((400, 250)) == (200, 30, 30, 255)
    assert stored.getpixel((1500, 250))[3] == 0
    if mode == "RGBA":
        found = stored.getpixel((1000, 250))  # half transparent: premultiplied, then not
        assert all(abs(a - b) <= 2 for a, b in zip(found, (30, 30, 200, 128), strict=True))


def test_animated_gif_keeps_its_first_frame(author_client, app):
    import io

    from PIL import Image

    frames = [Image.new("P", (120, 80), index) for index in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = upload(author_client, buffer.getvalue(), filename="a.gif", content_type="image/gif")
    assert response.status_code == 200
    url = response.get_json()["url"]
    assert url.endswith("-120.png")
    image = open_image(author_client.get(url).data)
    assert getattr(image, "n_frames", 1) == 1


def test_path_traversal_file_names_are_only_labels(author_client, app, tmp_path):
    response = upload(author_client, image_bytes((300, 200)), filename="../../etc/passwd.jpg")
    assert response.status_code == 200
    media = db.session.get(Media, response.get_json()["id"])
    assert media.original_name == "passwd.jpg"
    assert all(STORED_NAME.match(name) for name in stored_files(app))
    assert not (tmp_path / "etc").exists()
    assert not [path for path in tmp_path.parent.rglob("passwd*")]


@pytest.mark.parametrize(
    "path",
    [
        "/media/..%2F..%2Fx",
        "/media/..%2Fblog.sqlite3",
        "/media/%2e%2e/blog.sqlite3",
        "/media/../blog.sqlite3",
        "/media/passwd.jpg",
        "/media/0123456789abcdef0123-480.jpg.html",
        "/media/0123456789abcdef0123-480.jpg",
    ],
)
def test_media_urls_outside_the_name_pattern_are_404(client, path):
    assert client.get(path).status_code == 404


def test_alt_text_is_required(author_client, app):
    for alt in (None, "", "   "):
        response = upload(author_client, image_bytes(), alt=alt)
        assert response.status_code == 400
        assert response.get_json()["error"].startswith("Alt text is required")
    assert media_count() == 0
    assert stored_files(app) == []


def test_a_file_is_required(author_client):
    response = author_client.post(
        "/admin/media", data={"alt": "Something"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "Choose an image file to upload."


def test_the_same_bytes_twice_make_one_image(author_client, app):
    data = image_bytes((700, 300))
    first = upload(author_client, data, alt="First words").get_json()
    second = upload(author_client, data, filename="again.jpg", alt="Other words").get_json()
    assert first["id"] == second["id"] and first["url"] == second["url"]
    assert second["markdown"] == f"![Other words]({first['url']})"
    assert media_count() == 1


def test_alt_text_cannot_break_out_of_the_markdown(author_client):
    data = upload(author_client, image_bytes(), alt="Cuff ](javascript:alert(1)) [x").get_json()
    assert data["markdown"] == f"![Cuff )(javascript:alert(1)) (x]({data['url']})"


def test_signed_out_upload_is_refused_in_json(client, app):
    response = upload(client, image_bytes())
    assert response.status_code == 401
    assert "Sign in again" in response.get_json()["error"]
    assert media_count() == 0


def test_colour_profiles_are_applied_then_dropped(author_client, app):
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    with_profile = image_bytes((300, 200), color=(10, 120, 200), icc_profile=icc)
    url = upload(author_client, with_profile).get_json()["url"]
    for path in (url, url.replace(".jpg", ".webp")):
        image = open_image(author_client.get(path).data)
        assert "icc_profile" not in image.info
        assert image.mode == "RGB"


def test_cmyk_jpeg_is_converted_to_rgb(author_client):
    cmyk = image_bytes((300, 200), mode="CMYK", color=(0, 80, 80, 0))
    url = upload(author_client, cmyk).get_json()["url"]
    image = open_image(author_client.get(url).data)
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((10, 10))
    assert red > 200 and green < 200 and blue < 200


def test_an_image_taller_than_webp_allows_is_refused_and_leaves_no_file(author_client, app):
    tall = bomb_png(width=50, height=17_000)  # a long strip, under the pixel limit
    response = upload(author_client, tall, filename="scroll.png", content_type="image/png")
    assert response.status_code == 415
    assert "too tall" in response.get_json()["error"]
    media_dir = Path(app.config["MEDIA_DIR"])
    assert not media_dir.exists() or not any(media_dir.iterdir())
