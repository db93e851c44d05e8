"""Reading aids: contents, heading anchors, related and neighbouring posts, archive, sharing."""

import re
from datetime import datetime, timedelta

import html5lib
import pytest
from sqlalchemy import event

from blog.content import render_post
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus, Settings
from tests.conftest import sign_in

THREE_HEADINGS = "Intro.\n\n## First part\n\nA.\n\n### A detail\n\nB.\n\n## Second part\n\nC."
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def contents(page: str) -> list[tuple[str, str]]:
    match = re.search(r'<nav class="toc" aria-label="Contents">(.*?)</nav>', page, re.S)
    if match is None:
        return []
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', match.group(1))


def test_posts_with_three_headings_get_a_nested_table_of_contents(client, make_post):
    make_post("Long read", body=THREE_HEADINGS)
    page = client.get("/post/long-read").text
    assert contents(page) == [
        ("first-part", "First part"),
        ("a-detail", "A detail"),
        ("second-part", "Second part"),
    ]
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    nav = next(n for n in tree.iter("nav") if n.get("aria-label") == "Contents")
    assert [li.find("a").text for li in nav.find("ol").findall("li")] == [
        "First part",
        "Second part",
    ]
    for anchor, _ in contents(page):
        assert f'id="{anchor}"' in page


def test_posts_with_fewer_headings_have_no_contents(client, make_post):
    make_post("Short read", body="## One\n\nA.\n\n## Two\n\nB.")
    assert contents(client.get("/post/short-read").text) == []


def test_headings_carry_a_labelled_anchor_link():
    html = render_post('## Why it\'s "high" & `<low>`\n\nText.\n\n#### Deep\n\nMore.').html
    assert (
        '<a aria-label="Link to this section: Why it’s “high” &amp; &lt;low&gt;" '
        'class="heading-anchor" href="#why-its-high-low">#</a></h2>'
    ) in html
    assert "<h4" in html and 'href="#deep"' not in html
    assert render_post("## Why\n\nText.").text == "Why Text."


def test_rerender_adds_anchors_to_stored_posts(app, runner, make_post):
    post = make_post("Old", body="## Heading\n\nText.")
    post.body_html = "<h2 id='heading'>Heading</h2><p>Text.</p>"
    db.session.commit()
    assert runner.invoke(args=["rerender"]).exit_code == 0
    db.session.refresh(post)
    assert 'class="heading-anchor" href="#heading"' in post.body_html


def related_slugs(page: str) -> list[str]:
    match = re.search(r'<section class="related".*?</section>', page, re.S)
    return re.findall(r'href="/post/([^"]+)"', match.group(0)) if match else []


def test_related_posts_share_tags_most_shared_first(client, make_post):
    make_post("Subject", tags="Heart, Sleep, Diet")
    make_post("Two shared", tags="Heart, Sleep", published_at=utcnow() - timedelta(days=5))
    make_post("One shared new", tags="Diet", published_at=utcnow() - timedelta(days=1))
    make_post("One shared old", tags="Heart", published_at=utcnow() - timedelta(days=9))
    make_post("Also one shared", tags="Sleep", published_at=utcnow() - timedelta(days=20))
    make_post("Unrelated", tags="Skin")  # the next post
    make_post("Unrelated too", tags="Skin", published_at=utcnow() - timedelta(hours=2))  # previous
    make_post("Draft shared", tags="Heart, Sleep, Diet", status=PostStatus.DRAFT)
    page = client.get("/post/subject").text
    assert related_slugs(page) == ["two-shared", "one-shared-new", "one-shared-old"]


def test_related_posts_leave_out_the_previous_and_next_posts(client, make_post):
    now = utcnow()
    make_post("Newer neighbour", tags="Heart", published_at=now - timedelta(days=1))
    make_post("Subject", tags="Heart", published_at=now - timedelta(days=2))
    make_post("Older neighbour", tags="Heart", published_at=now - timedelta(days=3))
    make_post("Far", tags="Heart", published_at=now - timedelta(days=9))
    page = client.get("/post/subject").text
    assert re.search(r'rel="prev" href="/post/older-neighbour"', page)
    assert re.search(r'rel="next" href="/post/newer-neighbour"', page)
    assert related_slugs(page) == ["far"]


def test_no_tags_no_related_section(client, make_post):
    make_post("Lonely")
    make_post("Other")
    assert related_slugs(client.get("/post/lonely").text) == []
    assert "Related posts" not in client.get("/post/lonely").text


def test_previous_and_next_links_skip_hidden_posts(client, make_post):
    now = utcnow()
    make_post("First", published_at=now - timedelta(days=4))
    make_post("Hidden", published_at=now - timedelta(days=3), deleted_at=now)
    make_post("Middle", published_at=now - timedelta(days=2))
    make_post("Draft", status=PostStatus.DRAFT)
    make_post("Last", published_at=now - timedelta(days=1))
    make_post("Future", status=PostStatus.SCHEDULED, published_at=now + timedelta(days=1))
    middle = client.get("/post/middle").text
    assert re.search(r'rel="prev" href="/post/first"', middle)
    assert re.search(r'rel="next" href="/post/last"', middle)
    first = client.get("/post/first").text
    assert 'rel="prev"' not in first and 'rel="next" href="/post/middle"' in first
    assert 'rel="next"' not in client.get("/post/last").text


def test_a_drafts_preview_for_its_author_renders_without_neighbours(client, make_post, author):
    make_post("Published one")
    make_post("My draft", status=PostStatus.DRAFT, author=author)
    sign_in(client, author)
    page = client.get("/post/my-draft", headers=BROWSER)
    assert page.status_code == 200
    assert 'class="post-nav"' not in page.text


def test_share_links_load_nothing_from_other_sites(client, make_post):
    make_post("Share me & you", slug="share-me")
    page = client.get("/post/share-me").text
    url = "http%3A//localhost/post/share-me"
    assert 'href="mailto:?subject=Share%20me%20%26%20you&amp;body=' in page
    assert f"https://bsky.app/intent/compose?text=Share%20me%20%26%20you%20{url}" in page
    assert f"https://www.linkedin.com/sharing/share-offsite/?url={url}" in page
    assert f"https://x.com/intent/post?url={url}" in page
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    for element in tree.iter():
        for attribute in ("src", "srcset"):
            value = element.get(attribute) or ""
            assert not value.startswith(("http:", "https:", "//")), (element.tag, value)
    scripts = [s.get("src").split("?v=")[0] for s in tree.iter("script") if s.get("src")]
    assert sorted(scripts) == [
        "/static/js/comments.js",
        "/static/js/remember.js",
        "/static/js/share.js",
        "/static/js/views.js",
    ]
    assert 'role="status" aria-live="polite" data-share-status' in page
    # The buttons that need JavaScript stay hidden without it.
    assert '<li class="share__item" hidden data-share-copy-item>' in page
    assert '<li class="share__item" hidden data-share-native-item>' in page


# -- Archive ---------------------------------------------------------------------------


def posts_in_three_months(make_post) -> None:
    make_post("November A", published_at=datetime(2025, 11, 20, 12))
    make_post("November B", published_at=datetime(2025, 11, 3, 12))
    make_post("March", published_at=datetime(2025, 3, 1, 12))
    make_post("Last year", published_at=datetime(2024, 12, 31, 12))
    make_post("Draft", status=PostStatus.DRAFT)


def test_archive_groups_posts_by_month_newest_first(client, make_post):
    posts_in_three_months(make_post)
    page = client.get("/archive").text
    headings = re.findall(r'<h2 class="archive__heading"[^>]*>\s*<a[^>]*>(\w+)</a>', page)
    assert headings == ["November", "March", "December"]
    order = [page.index(t) for t in ("November A", "November B", "March", "Last year")]
    assert order == sorted(order)
    assert "Draft" not in page
    assert "4 posts" in page


def test_archive_by_year_and_month(client, make_post):
    make_post("November A", published_at=datetime(2025, 11, 20, 12))
    make_post("March", published_at=datetime(2025, 3, 1, 12))
    make_post("Last year", published_at=datetime(2024, 12, 31, 12))
    year = client.get("/archive/2025")
    assert year.status_code == 200
    assert "November A" in year.text and "March" in year.text and "Last year" not in year.text
    month = client.get("/archive/2025/3")
    assert month.status_code == 200
    assert "<title>Archive: March 2025 · Rounds</title>" in month.text
    assert "March" in month.text and "November A" not in month.text
    assert client.get("/archive/2025/12").status_code == 404


def test_archive_months_follow_the_site_time_zone(client, make_post):
    settings = Settings.current()
    settings.timezone = "America/New_York"
    db.session.add(settings)
    db.session.commit()
    make_post("New Year's Eve local", published_at=datetime(2025, 1, 1, 2))  # 21:00 on 31 Dec
    assert "New Year" in client.get("/archive/2024/12").text
    assert client.get("/archive/2025/1").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/archive/2025/0",
        "/archive/2025/13",
        "/archive/0",
        "/archive/99999",
        "/archive/99999999999999999999999",
        "/archive/2025/99999999999999999999",
        "/archive/-1",
        "/archive/abc",
        "/archive/2025/x",
        "/archive/2025/1/1",
    ],
)
def test_bad_archive_periods_are_404(client, make_post, url):
    make_post("Any", published_at=datetime(2025, 1, 5))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("config_overrides", [{"ARCHIVE_ALL_MAX": 3}])
def test_a_large_archive_is_an_index_of_months_each_listing_its_posts(client, make_post):
    posts_in_three_months(make_post)
    page = client.get("/archive").text
    assert "November A" not in page and "4 posts, by month" in page
    years = re.findall(r'<h2 class="archive__heading"[^>]*>\s*<a href="/archive/(\d+)">', page)
    assert years == ["2025", "2024"]
    months = re.findall(r'<a href="(/archive/\d+/\d+)">(\w+)</a> <span[^>]*>(\d+)</span>', page)
    assert months == [
        ("/archive/2025/11", "November", "2"),
        ("/archive/2025/3", "March", "1"),
        ("/archive/2024/12", "December", "1"),
    ]
    november = client.get("/archive/2025/11").text
    assert "November A" in november and "November B" in november


@pytest.mark.parametrize("config_overrides", [{"ARCHIVE_ALL_MAX": 2}])
def test_the_index_of_months_follows_the_site_time_zone_as_month_pages_do(client, make_post):
    settings = Settings.current()
    settings.timezone = "America/New_York"
    db.session.add(settings)
    db.session.commit()
    make_post("Mid December", published_at=datetime(2024, 12, 15, 12))
    make_post("New Year's Eve local", published_at=datetime(2025, 1, 1, 2))  # 21:00 on 31 Dec
    make_post("New Year's Day local", published_at=datetime(2025, 1, 1, 6))  # 01:00 on 1 Jan
    page = client.get("/archive").text
    months = re.findall(r'<a href="(/archive/\d+/\d+)">(\w+)</a> <span[^>]*>(\d+)</span>', page)
    assert months == [("/archive/2025/1", "January", "1"), ("/archive/2024/12", "December", "2")]
    december = client.get("/archive/2024/12").text
    assert "Mid December" in december and "Eve local" in december
    assert "Day local" in client.get("/archive/2025/1").text


@pytest.mark.parametrize("config_overrides", [{"ARCHIVE_ALL_MAX": 1}])
def test_the_index_of_months_shows_a_date_before_1900_that_a_change_of_zone_made(client, make_post):
    """Entered as 1 January 1900 in Tokyo, kept as 31 December 1899 in UTC: once the site's
    zone is UTC, the index of months still answers (its month has no page of its own)."""
    make_post("Turn of the century", published_at=datetime(1899, 12, 31, 20))
    make_post("Recent", published_at=datetime(2025, 1, 5))
    page = client.get("/archive")
    assert page.status_code == 200
    months = re.findall(
        r'<a href="(/archive/\d+/\d+)">(\w+)</a> <span[^>]*>(\d+)</span>', page.text
    )
    assert months == [("/archive/2025/1", "January", "1"), ("/archive/1899/12", "December", "1")]


def test_empty_archive_has_an_empty_state(client):
    response = client.get("/archive")
    assert response.status_code == 200
    assert "Nothing published yet." in response.text


def test_post_page_stays_within_its_query_budget_with_related_and_neighbours(client, make_post):
    post = make_post("Busy", tags="A, B, C")
    for number in range(8):
        make_post(f"Card {number}", tags="A, B", published_at=utcnow() - timedelta(days=number))
    url = f"/post/{post.slug}"
    statements = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    page = client.get(url, headers=BROWSER).text
    assert len(related_slugs(page)) == 3
    rendering = [text for text in statements if "stored_pages" not in text]
    assert len(rendering) <= 14, "\n".join(statements)  # with the store's lookup, once
    statements.clear()
    assert client.get(url, headers=BROWSER).text == page
    assert len(statements) <= 2, "\n".join(statements)  # stored: the lookup alone
