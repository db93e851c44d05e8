"""What readers get of the author's identity work: her pages at /page/<slug> (head tags,
sitemap), and the feed's page for people who open it in a browser."""

import feedparser

from blog.extensions import db
from blog.models import Page, PageStatus
from tests.conftest import page_text

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FEED_READER = {"Accept": "application/atom+xml, application/rss+xml;q=0.9, */*;q=0.5"}


def add_page(title="Clinic hours", slug="clinic-hours", status=PageStatus.PUBLISHED):
    page = Page(
        title=title,
        slug=slug,
        status=status,
        body_md="Monday to Friday, 8 to 6.",
        body_html="<p>Monday to Friday, 8 to 6.</p>",
        excerpt="Monday to Friday, 8 to 6.",
    )
    db.session.add(page)
    db.session.commit()
    return page


def test_a_published_page_has_its_head_tags_and_is_cacheable(client):
    add_page()
    response = client.get("/page/clinic-hours")
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1" in text and "Clinic hours</h1>" in text and "Monday to Friday, 8 to 6." in text
    assert '<link rel="canonical" href="http://localhost/page/clinic-hours">' in text
    assert '<meta property="og:title" content="Clinic hours">' in text
    assert '<meta name="description" content="Monday to Friday, 8 to 6.">' in text
    assert "noindex" not in text
    assert response.headers["Cache-Control"].startswith("public")


def test_a_draft_page_or_a_missing_one_is_404(client):
    add_page(status=PageStatus.DRAFT)
    assert client.get("/page/clinic-hours").status_code == 404
    assert client.get("/page/nothing").status_code == 404


def test_published_pages_are_in_the_sitemap_and_drafts_are_not(client):
    add_page()
    add_page("Privacy", "privacy", PageStatus.DRAFT)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>http://localhost/page/clinic-hours</loc>" in sitemap
    assert "/page/privacy" not in sitemap


def test_the_feed_names_its_stylesheet_and_still_parses(client, make_post):
    make_post("Salt", tags="Heart")
    for url in ("/feed.xml", "/tag/heart/feed.xml"):
        body = client.get(url, headers=FEED_READER).data
        assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet')
        assert b'type="text/xsl" href="/static/feed.xsl?v=' in body
        parsed = feedparser.parse(body)
        assert not parsed.bozo and parsed.entries[0].title == "Salt"


def test_a_browser_gets_the_feed_as_xml_it_styles_and_a_reader_as_atom(client, make_post):
    make_post("Salt")
    reader = client.get("/feed.xml", headers=FEED_READER)
    assert reader.mimetype == "application/atom+xml"
    browser = client.get("/feed.xml", headers=BROWSER)
    assert browser.mimetype == "application/xml"
    assert "Accept" in browser.headers["Vary"]
    assert client.get("/feed.xml").mimetype == "application/atom+xml"  # curl's */*


def test_the_feed_stylesheet_is_served_from_the_site(client):
    response = client.get("/static/feed.xsl")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "copy this address into your feed reader" in text.lower()
    assert "/static/js/copy-field.js" in text and "style=" not in text
