"""The clinician's identity: her photo, one-line bio, logo and favicon from Settings, and
how readers see them (byline, author box, About, header, favicon)."""

import io

import pytest
from PIL import Image

from blog.extensions import db
from blog.models import Author, Settings
from tests.conftest import page_text
from tests.media_samples import bomb_png, gps_jpeg, image_bytes


def send_picture(client, kind: str, data: bytes, filename="me.jpg", **kwargs):
    form = {f"{kind}-file": (io.BytesIO(data), filename, "image/jpeg")}
    return client.post(f"/admin/settings/pictures/{kind}", data=form, **kwargs)


def settings_form(**changes) -> dict:
    form = {
        "site_title": "Family Practice Notes",
        "tagline": "Notes from clinic",
        "timezone": "UTC",
        "name": "Dr. Ada Lovelace",
        "credentials": "MD, Cardiology",
        "moderation": "hold_first",
        "review_after_months": "12",
        "title_with_logo": "y",
    }
    form.update(changes)
    return form


def test_a_headshot_is_shown_in_the_byline_the_author_box_and_on_about(
    author_client, author, make_post
):
    response = send_picture(author_client, "headshot", image_bytes((800, 800)))
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/settings#pictures"
    author_client.post("/admin/settings", data=settings_form(short_bio="Heart doctor in Leeds."))
    name = db.session.get(Author, author.id).headshot.name
    make_post("Palpitations", author=author)
    author_client.post("/logout")

    post = page_text(author_client.get("/post/palpitations"))
    byline = post.split('class="byline"')[1].split("</p>")[0]
    assert f"/media/{name}-480" in byline
    box = post.split('class="author-box"')[1].split("</aside>")[0]
    assert f"/media/{name}-480" in box
    assert "Dr. Ada Lovelace" in box and "MD, Cardiology" in box
    assert "Heart doctor in Leeds." in box
    assert 'href="/about"' in box and "More about Dr. Ada Lovelace" in box

    about = page_text(author_client.get("/about"))
    assert f"/media/{name}-480" in about and 'alt="Photo of Dr. Ada Lovelace"' in about


def test_the_headshot_loses_its_camera_data(author_client, author, app):
    send_picture(author_client, "headshot", gps_jpeg())
    media = db.session.get(Author, author.id).headshot
    stored = Image.open(f"{app.config['MEDIA_DIR']}/{media.name}-480.jpg")
    assert not stored.getexif() and "comment" not in stored.info


def test_a_sample_post_never_shows_the_real_authors_photo_or_name(author_client, author, make_post):
    send_picture(author_client, "headshot", image_bytes((600, 600)))
    photo = db.session.get(Author, author.id).headshot.name
    sample = Author(name="Dr. Maya Okafor", credentials="MD", short_bio="A fictional internist.")
    make_post("Sample sleep", author=sample, sample=True)
    author_client.post("/logout")
    text = page_text(author_client.get("/post/sample-sleep"))
    assert photo not in text  # the share picture is the only image of the page
    assert "Dr. Ada Lovelace" not in text
    box = text.split('class="author-box"')[1].split("</aside>")[0]
    assert "Dr. Maya Okafor" in box and "A fictional sample profile." in box
    assert "/about" not in box


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", 415, "not a JPEG, PNG, WebP or GIF"),
        (b"", 415, "The file is empty."),
        (bomb_png(), 415, "too many pixels"),
    ],
)
def test_a_bad_picture_is_refused_with_a_message(author_client, author, data, status, message):
    response = send_picture(author_client, "headshot", data)
    assert response.status_code == status
    text = page_text(response)
    assert message in text and "Your photo was not changed" in text
    assert db.session.get(Author, author.id).headshot is None


def test_a_picture_of_an_unknown_kind_is_404(author_client):
    assert send_picture(author_client, "banner", image_bytes()).status_code == 404


def test_a_logo_replaces_the_mark_and_keeps_the_title_as_alt_text(author_client):
    send_picture(author_client, "logo", image_bytes((600, 200), fmt="PNG"), "logo.png")
    header = page_text(author_client.get("/")).split("</header>")[0]
    assert 'class="site-title__logo"' in header and 'alt=""' in header
    assert "Rounds</span>" in header  # the title beside it
    author_client.post("/admin/settings", data=settings_form(title_with_logo=""))
    header = page_text(author_client.get("/")).split("</header>")[0]
    assert 'alt="Family Practice Notes"' in header
    assert "site-title__text" not in header
    response = author_client.post(
        "/admin/settings/pictures/logo/remove", data={}, follow_redirects=True
    )
    assert "Logo removed." in page_text(response)
    assert "site-title__logo" not in page_text(author_client.get("/")).split("</header>")[0]


def test_a_favicon_is_made_in_two_sizes_and_served(author_client, client, app):
    default = client.get("/favicon.ico")
    assert default.status_code == 200 and default.data[:4] == b"\x00\x00\x01\x00"
    assert "public" in default.headers["Cache-Control"]
    send_picture(author_client, "favicon", image_bytes((300, 200), fmt="PNG"), "icon.png")
    name = Settings.current().favicon
    page = page_text(author_client.get("/"))
    assert f'<link rel="icon" href="/media/{name}-32.png" sizes="32x32"' in page
    assert f'<link rel="apple-touch-icon" href="/media/{name}-180.png">' in page
    for size in (32, 180):
        response = client.get(f"/media/{name}-{size}.png")
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert Image.open(io.BytesIO(response.data)).size == (size, size)
    ico = client.get("/favicon.ico")
    assert Image.open(io.BytesIO(ico.data)).size == (32, 32)


def test_without_an_uploaded_favicon_the_sites_own_is_linked(client):
    page = page_text(client.get("/"))
    assert "images/favicon.svg" in page and "images/apple-touch-icon.png" in page


def test_the_library_names_the_photo_and_keeps_it_from_being_deleted(author_client, author):
    send_picture(author_client, "headshot", image_bytes((600, 600)))
    media = db.session.get(Author, author.id).headshot
    library = page_text(author_client.get("/admin/media/library"))
    assert "Shown on the site as the author's photo (Settings)." in library
    response = author_client.post(f"/admin/media/{media.id}/delete", follow_redirects=True)
    assert "was not deleted: it is the author's photo." in page_text(response)
    assert db.session.get(Author, author.id).headshot is not None
