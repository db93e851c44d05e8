"""A post's text (Markdown, HTML, plain text, contents) is read only where it is shown:
the post page, feeds' entries, the editor. Listings, counts, the sitemap, related posts
and neighbours never read it, however long it is."""

import re

import pytest
from sqlalchemy import event

from blog.extensions import db

TEXT = re.compile(r"\bposts\.(body_md|body_html|body_text|toc)\b")


@pytest.fixture
def site(make_post):
    for number in range(12):
        make_post(f"Pressure {number}", body=f"## One\n\nLong text {number}.", tags="Heart, Sleep")


def statements(client, url: str) -> list[str]:
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def text_read(client, url: str) -> list[str]:
    """Statements that name a text column. The count of a paginated listing wraps it in a
    subquery that names every column; the database flattens it and reads none."""
    return [
        statement
        for statement in statements(client, url)
        if TEXT.search(statement) and not statement.startswith("SELECT count(*)")
    ]


@pytest.mark.parametrize(
    "url", ["/", "/?page=2", "/tag/heart", "/archive", "/sitemap.xml", "/search?q=pressure"]
)
def test_listings_never_read_post_text(client, site, url):
    assert text_read(client, url) == []


def test_dashboard_never_reads_post_text(author_client, site):
    assert text_read(author_client, "/admin/") == []


def test_the_post_page_reads_only_its_own_text(client, site):
    [query] = text_read(client, "/post/pressure-3")
    assert "WHERE posts.slug = " in query  # not related posts or neighbours


def test_feeds_read_only_the_html_of_their_entries_in_one_query(client, site):
    [query] = text_read(client, "/feed.xml")
    assert set(TEXT.findall(query)) == {"body_html"}
