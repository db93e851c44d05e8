"""Atom feeds, the sitemap and robots.txt, read the way feed readers and crawlers read them."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus, Settings
from blog.posts.sitemap import SITEMAP

BODY = (
    "Intro with [a link](/post/other) and [a note](#section).\n\n"
    '![A chart](/media/abc-960.jpg "Caption")\n\n'
    "[Elsewhere](https://example.org/page)\n\n"
    "Control \x07 character and <b>bold</b> & ampersand.\n\n"
    "## Section\n\nText."
)


@pytest.fixture
def config_overrides():
    return {
        "SITE_URL": "https://blog.example.org",
        "TRUSTED_HOSTS": ["localhost", "blog.example.org"],
    }


def parse(response):
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert parsed.bozo is False, parsed.get("bozo_exception")
    return parsed


def test_feed_has_the_latest_public_posts_with_full_content(client, make_post, author):
    make_post("Older", published_at=utcnow() - timedelta(days=3), author=author)
    make_post(
        "Newer <& quoted>",
        body=BODY,
        tags="Heart, Sleep",
        author=author,
        excerpt="A short summary.",
    )
    make_post("Draft", status=PostStatus.DRAFT, author=author)
    make_post(
        "Future",
        status=PostStatus.SCHEDULED,
        published_at=utcnow() + timedelta(days=1),
        author=author,
    )
    make_post("Trashed", deleted_at=utcnow(), author=author)
    response = client.get("/feed.xml")
    assert response.mimetype == "application/atom+xml"
    feed = parse(response)
    assert feed.version == "atom10"
    assert feed.feed.title == "Rounds"
    assert feed.feed.id == "https://blog.example.org/feed.xml"
    assert [entry.title for entry in feed.entries] == ["Newer <& quoted>", "Older"]
    entry = feed.entries[0]
    assert entry.link == "https://blog.example.org/post/newer-quoted"
    assert entry.id.startswith("tag:blog.example.org,") and entry.id.endswith(":post-2")
    assert entry.author == "Dr. Ada Lovelace"
    assert entry.summary == "A short summary."
    assert [tag.label for tag in entry.tags] == ["Heart", "Sleep"]
    assert entry.published_parsed and entry.updated_parsed
    content = entry.content[0].value
    assert 'href="https://blog.example.org/post/other"' in content
    assert 'href="https://blog.example.org/post/newer-quoted#section"' in content
    assert 'src="https://blog.example.org/media/abc-960.jpg"' in content
    assert 'href="https://example.org/page"' in content
    assert "\x07" not in response.text


def test_feed_holds_twenty_posts_newest_first(client, make_post):
    for number in range(25):
        make_post(f"Post {number:02d}", published_at=utcnow() - timedelta(hours=number + 1))
    feed = parse(client.get("/feed.xml"))
    assert [entry.title for entry in feed.entries] == [f"Post {n:02d}" for n in range(20)]


def test_srcset_urls_are_made_absolute():
    from blog.posts.feeds import absolutize

    fragment = '<img src="/media/a-480.jpg" srcset="/media/a-480.jpg 480w, /media/a-960.jpg 960w">'
    assert absolutize(fragment, "https://x.org/post/p") == (
        '<img src="https://x.org/media/a-480.jpg" '
        'srcset="https://x.org/media/a-480.jpg 480w, https://x.org/media/a-960.jpg 960w">'
    )


def test_tag_feed_has_only_that_tag(client, make_post):
    make_post("Heart one", tags="Heart")
    make_post("Sleep one", tags="Sleep")
    feed = parse(client.get("/tag/heart/feed.xml"))
    assert [entry.title for entry in feed.entries] == ["Heart one"]
    assert feed.feed.title == "Rounds: Heart"
    assert client.get("/tag/missing/feed.xml").status_code == 404


def test_empty_feed_is_valid(client):
    feed = parse(client.get("/feed.xml"))
    assert feed.entries == []


def test_feed_answers_304_to_a_matching_etag(client, make_post):
    make_post("Cached")
    first = client.get("/feed.xml")
    assert first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=60" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]
    again = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    make_post("New one")
    changed = client.get("/feed.xml", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_every_page_links_the_site_feed_and_tag_pages_their_own(client, make_post):
    make_post("Linked", tags="Heart")
    site_link = '<link rel="alternate" type="application/atom+xml" title="Rounds" href="/feed.xml">'
    for url in ("/", "/post/linked", "/about", "/tag/heart", "/archive", "/search?q=x"):
        assert site_link in client.get(url).text, url
    tag_page = client.get("/tag/heart").text
    assert 'type="application/atom+xml" title="Rounds: Heart" href="/tag/heart/feed.xml"' in (
        tag_page
    )


# -- Sitemap and robots -------------------------------------------------------------------


def sitemap_urls(client, path: str = "/sitemap.xml", kind: str = "urlset") -> dict:
    """{address: lastmod or None} of a sitemap (or, with ``kind="sitemapindex"``, of an
    index's files), read as a crawler reads it."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{{{SITEMAP}}}{kind}"
    urls = {}
    for url in root:
        lastmod = url.find(f"{{{SITEMAP}}}lastmod")
        urls[url.find(f"{{{SITEMAP}}}loc").text] = None if lastmod is None else lastmod.text
    return urls


@pytest.mark.parametrize(
    "config_overrides",
    [{"SITE_URL": "https://blog.example.org", "SITEMAP_POSTS_PER_FILE": 2}],
)
def test_past_its_size_the_sitemap_is_an_index_of_files(client, make_post):
    """Five posts, two a file: the index names the pages' file and three posts' files,
    oldest posts first; together they list every public page once, and nothing else."""
    now = utcnow()
    for number in range(5):
        make_post(f"Post {number}", tags="Heart", published_at=now - timedelta(days=10 - number))
    make_post("Draft", status=PostStatus.DRAFT)
    root = "https://blog.example.org"
    files = sitemap_urls(client, kind="sitemapindex")
    assert list(files) == [
        f"{root}/sitemap-pages.xml",
        *(f"{root}/sitemap-posts-{number}.xml" for number in (1, 2, 3)),
    ]
    pages = sitemap_urls(client, "/sitemap-pages.xml")
    assert set(pages) == {f"{root}/", f"{root}/about", f"{root}/archive", f"{root}/tag/heart"}
    posts = [list(sitemap_urls(client, f"/sitemap-posts-{n}.xml")) for n in (1, 2, 3)]
    assert posts == [
        [f"{root}/post/post-0", f"{root}/post/post-1"],
        [f"{root}/post/post-2", f"{root}/post/post-3"],
        [f"{root}/post/post-4"],
    ]
    newest = sitemap_urls(client, "/sitemap-posts-3.xml")[f"{root}/post/post-4"]
    assert files[f"{root}/sitemap-posts-3.xml"] == newest == pages[f"{root}/"]
    for missing in ("/sitemap-posts-0.xml", "/sitemap-posts-4.xml", "/sitemap-posts-x.xml"):
        assert client.get(missing).status_code == 404


def test_a_sitemap_of_one_file_has_no_files_of_an_index(client, make_post):
    make_post("Listed")
    assert "https://blog.example.org/post/listed" in sitemap_urls(client)
    for path in ("/sitemap-pages.xml", "/sitemap-posts-1.xml"):
        assert client.get(path).status_code == 404


def test_sitemap_lists_public_posts_tags_about_and_home(client, make_post):
    post = make_post("Listed", tags="Heart")
    make_post("Draft", status=PostStatus.DRAFT, tags="Hidden")
    make_post("Later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=1))
    settings = Settings.current()
    db.session.add(settings)
    db.session.commit()
    urls = sitemap_urls(client)
    root = "https://blog.example.org"
    assert set(urls) == {
        f"{root}/",
        f"{root}/about",
        f"{root}/archive",
        f"{root}/tag/heart",
        f"{root}/post/listed",
    }
    assert urls[f"{root}/post/listed"] == post.modified_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert urls[f"{root}/tag/heart"] == urls[f"{root}/post/listed"]
    assert urls[f"{root}/about"]


def test_sitemap_lastmod_follows_edits(client, make_post):
    post = make_post("Edited")
    before = sitemap_urls(client)["https://blog.example.org/post/edited"]
    post.updated_at = utcnow() + timedelta(days=1)
    db.session.commit()
    after = sitemap_urls(client)["https://blog.example.org/post/edited"]
    assert after > before


def test_robots_names_the_sitemap_and_keeps_crawlers_out_of_admin(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert {"Disallow: /admin", "Disallow: /login", "Disallow: /setup"} <= set(lines)
    assert "Sitemap: https://blog.example.org/sitemap.xml" in lines


def test_without_site_url_the_request_host_is_used(app, make_post):
    app.config.update(SITE_URL="", TRUSTED_HOSTS=None)
    make_post("Hosted")
    client = app.test_client()
    robots = client.get("/robots.txt", base_url="https://other.example").text
    assert "Sitemap: https://other.example/sitemap.xml" in robots
    feed = parse(client.get("/feed.xml", base_url="https://other.example"))
    assert feed.entries[0].link == "https://other.example/post/hosted"


def test_a_readers_view_does_not_change_the_modified_time(client, make_post):
    make_post("Viewed")
    before = sitemap_urls(client)["https://blog.example.org/post/viewed"]
    etag = client.get("/feed.xml").headers["ETag"]
    browser = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}
    assert client.get("/post/viewed", headers=browser).status_code == 200
    assert sitemap_urls(client)["https://blog.example.org/post/viewed"] == before
    assert client.get("/feed.xml", headers={"If-None-Match": etag}).status_code == 304
