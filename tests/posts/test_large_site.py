"""A site with 1,000 posts: search, the feed and the sitemap stay correct."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import event, insert, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Post, PostStatus, Tag, post_tags
from blog.posts.sitemap import SITEMAP

POSTS = 1000
WORDS = ["heart", "sleep", "diet", "exercise", "kidney", "liver", "vaccine", "asthma"]


@pytest.fixture
def big_site(app):
    """1,000 public posts (plus drafts) inserted in bulk (the database indexes them)."""
    author = Author(name="Dr. Bulk", credentials="MD")
    db.session.add(author)
    db.session.flush()
    now = utcnow()
    rows = []
    for number in range(POSTS):
        word = WORDS[number % len(WORDS)]
        text = f"Notes on {word} care, number {number}. " + " ".join(WORDS) * 5
        rows.append(
            {
                "author_id": author.id,
                "title": f"Post {number:04d} about {word}",
                "slug": f"post-{number:04d}",
                "body_md": text,
                "body_html": f"<p>{text}</p>",
                "body_text": text,
                "auto_excerpt": text[:100],
                "status": PostStatus.PUBLISHED,
                "published_at": now - timedelta(hours=number + 1),
                "updated_at": now - timedelta(hours=number + 1),
                "word_count": 50,
            }
        )
    rows[617]["body_text"] += " Rare word: pheochromocytoma."
    rows[617]["body_html"] = rows[617]["body_html"].replace("</p>", " pheochromocytoma.</p>")
    for number in range(20):
        rows.append({**rows[number], "slug": f"draft-{number}", "status": PostStatus.DRAFT})
    db.session.execute(insert(Post), rows)
    tag_ids = {
        word: db.session.scalar(insert(Tag).values(name=word.title(), slug=word).returning(Tag.id))
        for word in WORDS
    }
    posts = db.session.execute(select(Post.id, Post.title)).all()
    links = [
        {"post_id": post_id, "tag_id": tag_ids[title.rsplit(" ", 1)[-1]]}
        for post_id, title in posts
    ]
    db.session.execute(insert(post_tags), links)
    db.session.commit()


def test_search_finds_a_specific_post_among_a_thousand(client, big_site):
    page = client.get("/search?q=pheochromocytoma").text
    assert "1 post found" in page
    assert 'href="/post/post-0617"' in page


def test_title_matches_rank_first_and_pages_cover_every_result(client, big_site):
    only = client.get("/search?q=post+0617").text
    assert "1 post found" in only and 'href="/post/post-0617"' in only
    # Every post mentions "asthma"; the 125 with it in the title come first.
    page_one = client.get("/search?q=asthma").text
    assert "1,000 posts found" in page_one and "Page 1 of 100" in page_one
    for page in (1, 12):
        html = client.get(f"/search?q=asthma&page={page}").text
        titles = [line for line in html.splitlines() if "search-result__title" in line]
        assert len(titles) == 10
        assert all("about <mark>asthma</mark>" in line for line in titles), page
    last = client.get("/search?q=asthma&page=100").text
    assert last.count('class="search-result"') == 10
    assert "about <mark>asthma</mark>" not in last
    assert client.get("/search?q=asthma&page=101").status_code == 404


def test_feed_has_the_newest_twenty_of_a_thousand(client, big_site):
    parsed = feedparser.parse(client.get("/feed.xml").data)
    assert parsed.bozo is False
    assert [entry.link.rsplit("/", 1)[-1] for entry in parsed.entries] == [
        f"post-{number:04d}" for number in range(20)
    ]


def test_sitemap_lists_every_public_post(client, big_site):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.data)
    locations = [url.find(f"{{{SITEMAP}}}loc").text for url in root]
    posts = [loc for loc in locations if "/post/" in loc]
    assert len(posts) == POSTS
    assert len(set(posts)) == POSTS
    assert not [loc for loc in locations if "/post/draft-" in loc]
    assert len([loc for loc in locations if "/tag/" in loc]) == len(WORDS)
    assert len(locations) == POSTS + len(WORDS) + 3


def work(client, url: str) -> int:
    """Thousands of SQLite virtual-machine steps a request takes (deterministic, unlike time)."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    def watch(connection, *_args):
        connection.connection.driver_connection.set_progress_handler(count, 1000)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)
    return steps[0]


def test_search_costs_less_than_one_pass_over_the_posts_however_many_match(client, big_site):
    """One full-text query, not one per post; snippets for the page's posts, not for all:
    a search that matches every post costs less than the sitemap, which lists them all
    (about 37,000 steps against 47,000; with snippets made for every match, 49,000)."""
    every_post = work(client, "/sitemap.xml")
    for query in ("asthma", "pheochromocytoma", "heart+sleep"):
        assert work(client, f"/search?q={query}") < every_post, query
