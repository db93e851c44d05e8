"""Search on PostgreSQL: its own full-text search behind the same page.

Runs when BLOG_TEST_DATABASE_URL names a PostgreSQL database (CI sets it), with the
pg_app fixture of tests/core/test_postgres.py (a schema per xdist worker).
"""

from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import text

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus
from tests.core.test_postgres import URL, pg_app  # noqa: F401 (fixture)
from tests.posts.test_search import HOSTILE, check_half_typed_words, titles

pytestmark = [
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="BLOG_TEST_DATABASE_URL unset"),
]


@pytest.fixture
def pg_post(pg_app):  # noqa: F811
    from blog.models import Author, Post
    from blog.posts.writing import apply_rendering, set_tags

    author = Author(name="Dr. Pg", credentials="MD")
    db.session.add(author)

    def factory(title, body="Text.", status=PostStatus.PUBLISHED, tags="", **fields):
        fields.setdefault("published_at", utcnow() - timedelta(hours=1))
        post = Post(author=author, title=title, slug=fields.pop("slug"), body_md=body, **fields)
        post.status = status
        db.session.add(post)
        apply_rendering(post)
        set_tags(post, tags)
        db.session.commit()
        return post

    return factory


def test_search_on_postgresql(pg_app, pg_post):  # noqa: F811
    pg_post("Walking every day", slug="walking", body="A short note on <b>steps</b>.")
    pg_post("Body mention", slug="body", body="Walking is mentioned, and walking again.")
    pg_post("Tagged", slug="tagged", body="Unrelated.", tags="Nephrology")
    pg_post("Walking draft", slug="draft", status=PostStatus.DRAFT)
    pg_post("Walking trashed", slug="trashed", deleted_at=utcnow())
    client = pg_app.test_client()
    assert titles(client, "walk") == ["walking", "body"]
    assert titles(client, "nephrology") == ["tagged"]
    assert titles(client, "walking note") == ["walking"]
    page = client.get("/search?q=walking").text
    assert "<mark>Walking</mark> every day" in page
    assert "<mark>Walking</mark> is mentioned" in page
    assert client.get("/search?q=walk&page=2").status_code == 404


def test_half_typed_last_words_on_postgresql(pg_app):  # noqa: F811
    check_half_typed_words(pg_app.test_client())


def test_search_pages_on_postgresql(pg_app, pg_post):  # noqa: F811
    for number in range(12):
        pg_post(f"Vaccine note {number:02d}", slug=f"v{number:02d}")
    client = pg_app.test_client()
    first = client.get("/search?q=vaccine").text
    assert "12 posts found" in first and "Page 1 of 2" in first
    assert len(titles(client, "vaccine")) == 10
    assert len(set(titles(client, "vaccine") + titles(client, "vaccine&page=2"))) == 12
    assert client.get("/search?q=vaccine&page=3").status_code == 404


def test_search_uses_the_gin_index_expression(pg_app):  # noqa: F811
    indexes = db.session.scalars(
        text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_posts_search'"
            " AND schemaname = current_schema()"
        )
    ).all()
    assert len(indexes) == 1 and "gin" in indexes[0]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_any_input_answers_200_on_postgresql(pg_app, pg_post, query):  # noqa: F811
    pg_post("Blood pressure", slug="bp", body="Blood pressure notes.")
    assert pg_app.test_client().get("/search", query_string={"q": query}).status_code == 200


def test_feed_and_sitemap_on_postgresql(pg_app, pg_post):  # noqa: F811
    pg_post("Feed me", slug="feed-me")
    client = pg_app.test_client()
    parsed = feedparser.parse(client.get("/feed.xml").data)
    assert parsed.bozo is False and [e.title for e in parsed.entries] == ["Feed me"]
    assert b"/post/feed-me</loc>" in client.get("/sitemap.xml").data
    assert client.get("/archive").status_code == 200
    assert client.get("/post/feed-me").status_code == 200
