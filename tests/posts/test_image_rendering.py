"""Uploaded images in posts: responsive markup made on save, covers, the media_url helper."""

import html5lib
import pytest
from flask import render_template_string

from blog.content import render_post
from blog.extensions import db
from blog.models import Media
from tests.html_checks import script_risks
from tests.media_samples import image_bytes, upload

XHTML = "{http://www.w3.org/1999/xhtml}"


def uploaded(client, size=(1700, 850), alt="A cuff on an arm") -> Media:
    data = upload(client, image_bytes(size), alt=alt).get_json()
    return db.session.get(Media, data["id"])


def elements(fragment: str, tag: str):
    tree = html5lib.parse(f"<body>{fragment}</body>")
    return list(tree.iter(XHTML + tag))


def test_uploaded_image_in_a_post_becomes_a_responsive_figure(author_client, make_post):
    media = uploaded(author_client)
    body = f'Intro.\n\n![A cuff on an arm](/media/{media.name}-1600.jpg "Measure seated")\n'
    post = make_post(title="Blood pressure", body=body)
    page = author_client.get(f"/post/{post.slug}").get_data(as_text=True)
    assert post.body_html in page
    (figure,) = elements(post.body_html, "figure")
    picture, caption = list(figure)
    assert picture.tag == XHTML + "picture"
    assert caption.text == "Measure seated"
    source, img = list(picture)
    assert source.get("type") == "image/webp"
    assert source.get("srcset") == ", ".join(
        f"/media/{media.name}-{w}.webp {w}w" for w in (480, 960, 1600)
    )
    assert source.get("sizes") == img.get("sizes")
    assert img.get("src") == f"/media/{media.name}-1600.jpg"
    assert img.get("srcset") == ", ".join(
        f"/media/{media.name}-{w}.jpg {w}w" for w in (480, 960, 1600)
    )
    assert (img.get("width"), img.get("height")) == ("1600", "800")
    assert img.get("sizes").startswith("(max-width:")
    assert img.get("loading") == "lazy" and img.get("decoding") == "async"
    assert img.get("alt") == "A cuff on an arm"
    assert img.get("title") is None
    assert script_risks(post.body_html) == []


def test_any_variant_url_of_an_upload_gets_the_full_srcset(author_client, make_post):
    media = uploaded(author_client, size=(700, 350))
    post = make_post(body=f"See ![small](/media/{media.name}-480.webp) inline.")
    (img,) = elements(post.body_html, "img")
    assert img.get("src") == f"/media/{media.name}-700.jpg"
    assert (
        img.get("srcset") == f"/media/{media.name}-480.jpg 480w, /media/{media.name}-700.jpg 700w"
    )
    # Inline, not alone in its paragraph: a <picture> inside the <p>, no figure.
    assert "<p>See <picture>" in post.body_html
    assert elements(post.body_html, "figure") == []


@pytest.mark.parametrize(
    "src",
    [
        "/media/0123456789abcdef0123-480.jpg",  # no such upload
        "https://example.org/cuff.jpg",
        "/static/images/cross.svg",
    ],
)
def test_other_images_keep_their_src_without_srcset(app, make_post, src):
    post = make_post(body=f"![Other]({src})")
    (img,) = elements(post.body_html, "img")
    assert img.get("src") == src
    assert img.get("srcset") is None and img.get("width") is None
    assert img.get("loading") == "lazy"
    assert elements(post.body_html, "picture") == []


def test_lookup_output_passes_the_author_sanitiser():
    name = "/media/" + "a" * 20

    def lookup(src):
        return {
            "src": f"{name}-960.jpg",
            "width": "960",
            "height": "480",
            "srcset": f"{name}-480.jpg 480w, {name}-960.jpg 960w",
            "sizes": "(max-width: 46rem) calc(100vw - 2rem), 42rem",
            "webp-srcset": f"{name}-480.webp 480w",
        }

    html = render_post('![Alt](/media/x.jpg "Caption")', lookup).html
    assert html.startswith("<figure><picture><source ")
    assert html.endswith("</picture><figcaption>Caption</figcaption></figure>")
    (source,) = elements(html, "source")
    assert source.get("type") == "image/webp"
    assert source.get("srcset") == "/media/aaaaaaaaaaaaaaaaaaaa-480.webp 480w"
    (img,) = elements(html, "img")
    assert (img.get("width"), img.get("height")) == ("960", "480")
    assert img.get("srcset").startswith("/media/aaaaaaaaaaaaaaaaaaaa-480.jpg 480w")


def test_rendering_happens_on_save_not_on_view(author_client, make_post):
    media = uploaded(author_client)
    post = make_post(body=f"![A](/media/{media.name}-1600.jpg)")
    stored = post.body_html
    media.width = 1
    db.session.commit()
    assert stored in author_client.get(f"/post/{post.slug}").get_data(as_text=True)
    assert 'width="1"' not in author_client.get(f"/post/{post.slug}").get_data(as_text=True)


def test_cover_image_on_the_post_page_and_the_home_card(author_client, client, make_post):
    media = uploaded(author_client, alt="Cuff on a table")
    post = make_post(title="With a cover", cover_media_id=media.id)
    make_post(title="Without a cover")
    page = client.get(f"/post/{post.slug}").get_data(as_text=True)
    (cover,) = elements(page.split('class="post-cover"')[1].split("</figure>")[0] + "", "img")
    assert cover.get("alt") == "Cuff on a table"
    assert cover.get("srcset").endswith(f"/media/{media.name}-1600.jpg 1600w")
    assert (cover.get("width"), cover.get("height")) == ("1600", "800")
    assert cover.get("sizes") and cover.get("loading") == "eager"
    home = client.get("/").get_data(as_text=True)
    cards = home.split('<article class="card')
    with_cover = next(card for card in cards if "With a cover" in card)
    without = next(card for card in cards if "Without a cover" in card)
    (card_img,) = elements(with_cover.split("</picture>")[0].split(">", 1)[1], "img")
    assert card_img.get("alt") == ""  # the title next to it says what the card is
    assert card_img.get("loading") == "lazy" and card_img.get("width") == "1600"
    assert f"/media/{media.name}-480.webp 480w" in with_cover
    assert "<picture" not in without


def test_media_url_helper_gives_the_largest_fallback(author_client, app):
    media = uploaded(author_client)
    template = "{{ media_url(m) }}|{{ media_url(m, 1000) }}|{{ media_url(m, 100) }}"
    assert render_template_string(template, m=media) == (
        f"/media/{media.name}-1600.jpg|/media/{media.name}-960.jpg|/media/{media.name}-480.jpg"
    )


def test_posts_without_uploads_render_as_before(app, make_post):
    post = make_post(body="Just *text*.")
    assert post.body_html == "<p>Just <em>text</em>.</p>"
