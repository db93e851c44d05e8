"""The media library: listing, where each image is used, alt text, delete, no-JS upload."""

import os

from sqlalchemy import event

from blog.extensions import db
from blog.models import Media, PostStatus
from tests.conftest import page_text
from tests.media_samples import image_bytes, upload

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def uploaded(client, size=(1000, 500), **kwargs) -> Media:
    data = upload(client, image_bytes(size), **kwargs).get_json()
    return db.session.get(Media, data["id"])


def test_library_requires_sign_in(client):
    response = client.get("/admin/media/library")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_empty_library_invites_an_upload(author_client):
    text = page_text(author_client.get("/admin/media/library"))
    assert "0 images" in text and "No images yet." in text
    assert 'enctype="multipart/form-data"' in text


def test_library_shows_each_upload_with_its_details(author_client, app):
    media = uploaded(author_client, filename="Cuff on arm.jpg", alt="A cuff on an arm")
    response = author_client.get("/admin/media/library")
    assert response.status_code == 200
    text = page_text(response)
    assert "1 image" in text
    assert "Cuff on arm.jpg" in text
    assert "1000 × 500 px" in text
    assert "A cuff on an arm</textarea>" in text
    assert f"/media/{media.name}-480.jpg 480w" in text
    assert "6 stored files" in text and "480.webp" in text and " kB" in text
    assert f"![A cuff on an arm](/media/{media.name}-1000.jpg)" in text
    assert "Not used in any post." in text


def test_library_lists_the_posts_that_use_an_image(author_client, make_post):
    media = uploaded(author_client)
    other = uploaded(author_client, size=(900, 300))
    make_post(title="Blood pressure at home", body=f"![Cuff](/media/{media.name}-1000.jpg)")
    make_post(title="Draft about sleep", status=PostStatus.DRAFT, cover_media_id=media.id)
    make_post(title="Unrelated", body="No pictures here.")
    text = page_text(author_client.get("/admin/media/library"))
    card = text.split(f'id="media-{media.id}"')[1].split("</li>\n      <li")[0]
    assert "Blood pressure at home" in card and "Draft about sleep" in card
    assert "draft" in card and "cover" in card
    assert "Unrelated" not in card
    other_card = text.split(f'id="media-{other.id}"')[1]
    assert "Not used in any post." in other_card


def test_delete_is_refused_while_a_post_uses_the_image(author_client, app, make_post):
    media = uploaded(author_client)
    make_post(
        title="Blood pressure at home", body=f"Text.\n\n![Cuff](/media/{media.name}-1000.jpg)"
    )
    make_post(title="Sleep", cover_media_id=media.id)
    response = author_client.post(f"/admin/media/{media.id}/delete", headers=HTML)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/media/library"
    text = page_text(author_client.get(response.headers["Location"]))
    assert "was not deleted: it is used by “Blood pressure at home”, “Sleep”." in text
    assert db.session.get(Media, media.id) is not None
    assert len(os.listdir(app.config["MEDIA_DIR"])) == 6


def test_usage_is_recorded_when_a_post_is_saved_not_read_from_every_text(author_client, make_post):
    media = uploaded(author_client)
    post = make_post(title="Blood pressure", body=f"![Cuff](/media/{media.name}-1000.jpg)")
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert "Blood pressure" in page_text(author_client.get("/admin/media/library"))
    assert not [s for s in statements if "body_md" in s or "body_html" in s]
    author_client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": post.title, "body": "No image now.", "status": "draft"},
    )
    assert "Not used in any post." in page_text(author_client.get("/admin/media/library"))
    response = author_client.post(f"/admin/media/{media.id}/delete", headers=HTML)
    assert "Deleted photo.jpg." in page_text(author_client.get(response.headers["Location"]))


def test_delete_of_an_unused_image_removes_its_row_and_files(author_client, app):
    media = uploaded(author_client, filename="old.jpg")
    media_id, media_name = media.id, media.name
    keep = uploaded(author_client, size=(600, 300))
    response = author_client.post(f"/admin/media/{media_id}/delete", headers=HTML)
    assert response.status_code == 303
    assert "Deleted old.jpg." in page_text(author_client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Media, media_id) is None
    assert sorted(os.listdir(app.config["MEDIA_DIR"])) == sorted(
        f"{keep.name}-{w}.{ext}" for w in (480, 600) for ext in ("webp", "jpg")
    )
    assert author_client.get(f"/media/{media_name}-480.webp").status_code == 404


def test_delete_of_a_missing_image_is_404(author_client):
    assert author_client.post("/admin/media/999/delete").status_code == 404


def test_alt_text_can_be_edited(author_client):
    media = uploaded(author_client, alt="Old words")
    response = author_client.post(
        f"/admin/media/{media.id}/alt",
        data={f"m{media.id}-alt": "  A cuff,\n two fingers above the elbow "},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Media, media.id).alt == "A cuff, two fingers above the elbow"


def test_blank_alt_text_is_refused_with_a_message(author_client):
    media = uploaded(author_client, alt="Old words")
    response = author_client.post(f"/admin/media/{media.id}/alt", data={f"m{media.id}-alt": "  "})
    assert response.status_code == 303
    assert "Alt text is required" in page_text(author_client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Media, media.id).alt == "Old words"


def test_upload_form_without_javascript_redirects_to_the_new_card(author_client):
    response = upload(author_client, image_bytes(), filename="scan.jpg", headers=HTML)
    assert response.status_code == 303
    media = db.session.query(Media).one()
    assert response.headers["Location"] == f"/admin/media/library#media-{media.id}"
    assert "Uploaded scan.jpg." in page_text(author_client.get(response.headers["Location"]))


def test_upload_form_errors_keep_the_alt_text_typed(author_client):
    response = upload(
        author_client, b"<svg/>", filename="x.svg", alt="My careful words", headers=HTML
    )
    assert response.status_code == 415
    text = page_text(response)
    assert "not a JPEG, PNG, WebP or GIF image" in text
    assert 'value="My careful words"' in text
    missing = upload(author_client, image_bytes(), alt="", headers=HTML)
    assert missing.status_code == 400
    assert "Alt text is required" in page_text(missing)
    assert db.session.query(Media).count() == 0


def test_an_image_uploaded_with_a_caption_becomes_a_captioned_figure(author_client):
    caption = 'Cuff size matters:  "large" for arms over 32 cm \\ <b>'
    data = upload(author_client, image_bytes((800, 600)), fields={"caption": caption}).get_json()
    assert data["markdown"].endswith(
        ' "Cuff size matters: \\"large\\" for arms over 32 cm \\\\ <b>")'
    )
    html = author_client.post("/admin/preview", data={"body": data["markdown"]}).get_data(
        as_text=True
    )
    assert html.startswith("<figure><picture>")
    shown = 'Cuff size matters: "large" for arms over 32 cm \\ &lt;b&gt;'
    assert html.endswith(f"<figcaption>{shown}</figcaption></figure>")


def test_a_caption_is_optional_and_limited(author_client):
    data = upload(author_client, image_bytes((800, 600))).get_json()
    assert data["markdown"].endswith(".jpg)")
    response = upload(author_client, image_bytes((810, 600)), fields={"caption": "x" * 301})
    assert response.status_code == 400
    assert "Keep the caption under 300 characters." in response.get_json()["error"]
