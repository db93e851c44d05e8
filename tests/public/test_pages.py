"""Reader pages: what a visitor sees, and the statuses they get."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import CommentStatus, PostStatus, SlugRedirect
from tests.conftest import sign_in

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def test_home_shows_featured_first_then_latest(client, make_post):
    make_post("Older featured", featured=True, published_at=utcnow() - timedelta(days=5))
    make_post("Newest", published_at=utcnow() - timedelta(hours=1))
    page = client.get("/").get_data(as_text=True)
    assert page.index("Older featured") < page.index("Newest")
    assert page.count("Older featured") == 1


def test_home_paginates_ten_a_page(client, make_post):
    for number in range(23):
        make_post(f"Post number {number:02d}", published_at=utcnow() - timedelta(hours=number + 1))
    first = client.get("/").get_data(as_text=True)
    assert "Post number 00" in first and "Post number 10" not in first
    assert "Page 1 of 3" in first
    third = client.get("/?page=3").get_data(as_text=True)
    assert "Post number 22" in third
    assert client.get("/?page=4").status_code == 404


def test_home_pages_show_every_post_once_when_some_are_featured(client, make_post):
    for number in range(25):
        make_post(
            f"Post number {number:02d}",
            published_at=utcnow() - timedelta(hours=number + 1),
            featured=number in (4, 11, 20),
        )
    shown = []
    for number in (1, 2, 3):
        page = client.get(f"/?page={number}").get_data(as_text=True)
        shown += re.findall(r'class="card__title"><a [^>]*>(Post number \d\d)<', page)
    assert client.get("/?page=4").status_code == 404
    assert sorted(shown) == [f"Post number {number:02d}" for number in range(25)]


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "", "99999999999", "١", "2%00"])
def test_bad_page_numbers_are_404_not_500(client, make_post, bad):
    make_post("Only")
    assert client.get(f"/?page={bad}").status_code == 404


def test_empty_site_has_an_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.get_data(as_text=True)


def test_post_page_shows_everything_a_reader_expects(client, make_post, author, make_comment):
    post = make_post(
        "Sleep matters",
        body="## Why\n\nBecause.[^1]\n\n[^1]: A study.",
        author=author,
        tags="Sleep, Prevention",
        last_reviewed=utcnow().date(),
        view_count=1,
    )
    make_comment(post, body="Great read", name="Linda")
    make_comment(post, body="Held back", name="Spammer", status=CommentStatus.PENDING)
    page = client.get("/post/sleep-matters").get_data(as_text=True)
    assert '<h1 id="post-title" class="post__title">Sleep matters</h1>' in page
    assert "Dr. Ada Lovelace" in page and "MD, Cardiology" in page
    assert "Published <time" in page and "Last reviewed <time" in page
    assert "min read" in page
    assert 'href="/tag/sleep"' in page and 'href="/tag/prevention"' in page
    assert "1 comment" in page and "Great read" in page
    assert "Held back" not in page
    assert "1 view" in page


def test_comments_thread_one_level(client, make_post, make_comment):
    post = make_post("Threads")
    parent = make_comment(post, body="Question?", name="Ann")
    make_comment(post, body="Answer.", name="Dr. Test", parent=parent, is_author=True)
    page = client.get("/post/threads").get_data(as_text=True)
    assert page.index("Question?") < page.index('class="comment-replies"') < page.index("Answer.")
    assert '<span class="badge"' in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": PostStatus.DRAFT},
        {"status": PostStatus.SCHEDULED, "published_at": utcnow() + timedelta(days=1)},
        {"status": PostStatus.PUBLISHED, "published_at": utcnow() + timedelta(days=1)},
    ],
)
def test_drafts_and_future_posts_are_404(client, make_post, fields):
    make_post("Hidden", **fields)
    assert client.get("/post/hidden").status_code == 404
    assert "Hidden" not in client.get("/").get_data(as_text=True)


def test_scheduled_post_appears_when_its_time_passes(client, make_post):
    import time_machine

    make_post("Later", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(hours=2))
    assert client.get("/post/later").status_code == 404
    with time_machine.travel(utcnow() + timedelta(hours=3), tick=False):
        assert client.get("/post/later").status_code == 200
        assert "Later" in client.get("/").get_data(as_text=True)


def test_trashed_post_is_gone(client, make_post):
    make_post("Removed", deleted_at=utcnow())
    response = client.get("/post/removed")
    assert response.status_code == 410
    assert "This page was removed" in response.get_data(as_text=True)


def test_old_slug_answers_301(client, make_post):
    post = make_post("New title")
    db.session.add(SlugRedirect(old_slug="old-title", post_id=post.id))
    db.session.commit()
    response = client.get("/post/old-title")
    assert response.status_code == 301
    assert response.headers["Location"] == "/post/new-title"


def test_unknown_post_is_404_in_site_design(client):
    response = client.get("/post/nope")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page and 'class="site-header"' in page


def test_tag_page_lists_only_public_posts_with_that_tag(client, make_post):
    make_post("Tagged", tags="Heart")
    make_post("Other", tags="Sleep")
    make_post("Draft tagged", status=PostStatus.DRAFT, tags="Heart")
    page = client.get("/tag/heart").get_data(as_text=True)
    assert "Tagged" in page and "Other" not in page and "Draft tagged" not in page
    assert client.get("/tag/nope").status_code == 404
    assert client.get("/tag/heart?page=2").status_code == 404


def test_about_page(client, runner):
    runner.invoke(args=["demo"])
    page = client.get("/about").get_data(as_text=True)
    assert "Dr. Maya Okafor" in page and "MD, Internal Medicine" in page


def test_about_with_only_a_biography_does_not_say_nothing_was_written(client, author):
    author.bio_html = "<p>A family physician in Leeds.</p>"
    db.session.commit()
    page = client.get("/about").get_data(as_text=True)
    assert "A family physician in Leeds." in page
    assert "hasn't written an about page" not in page


def test_about_with_neither_says_so(client, author):
    assert "The author hasn't written an about page yet." in client.get("/about").get_data(
        as_text=True
    )


def test_headings_and_ids_in_the_text_never_repeat_an_id_of_the_page(client, make_post):
    body = (
        "## Comments\n\nSay hello.\n\n## Email\n\nWrite to us.\n\n## Like\n\n## Post title\n\n"
        '<div id="comment-form">Mine</div>\n\n## Comments\n\nAgain.\n\n## Comment 1\n\nAnchored.'
    )
    make_post("Contacting us", body=body, slug="contacting-us")
    page = client.get("/post/contacting-us").get_data(as_text=True)
    ids = re.findall(r' id="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert 'href="#comments-section"' in page  # the contents still lead to the heading
    assert 'id="comment-1"' not in page and 'id="comment-1-section"' in page


def test_500_page_in_site_design(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_footer_shows_the_medical_disclaimer(client):
    assert "Medical disclaimer." in client.get("/").get_data(as_text=True)


CACHEABLE_PAGES = (
    "/",
    "/post/cached",
    "/tag/heart",
    "/archive",
    "/search?q=cached",
    "/about",
    "/robots.txt",
)
PUBLIC = "public, max-age=60, stale-while-revalidate=30"


def test_public_pages_are_cacheable_for_anonymous_readers(client, make_post, author):
    make_post("Cached", tags="Heart")
    for url in CACHEABLE_PAGES:
        assert client.get(url, headers=BROWSER).headers["Cache-Control"] == PUBLIC, url
    for url in ("/feed.xml", "/tag/heart/feed.xml", "/sitemap.xml"):
        assert client.get(url).headers["Cache-Control"] == "public, max-age=60", url
    # Not the same for everyone: errors.
    for url in ("/tag/missing", "/?page=9"):
        assert client.get(url, headers=BROWSER).headers["Cache-Control"] == "no-cache, private"
    sign_in(client, author)
    for url in (*CACHEABLE_PAGES, "/admin/", "/admin/posts/new"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_a_response_that_sets_a_cookie_or_a_message_is_never_public(client, author):
    sign_in(client, author)
    response = client.post("/logout")  # sets the session cookie with a flash message
    assert response.headers["Cache-Control"] == "no-cache, private"
    home = client.get("/")  # shows the flash, then clears it from the session
    assert "You have signed out." in home.text
    assert home.headers["Cache-Control"] == "no-cache, private"
    assert client.get("/").headers["Cache-Control"] == PUBLIC


PUBLIC_PAGES = (
    "/post/busy",
    "/",
    "/?page=2",
    "/tag/a",
    "/tag/a/feed.xml",
    "/archive",
    "/archive/{year}",
    "/archive/{year}/{month}",
    "/search?q=card",
    "/search?q=card&page=2",
    "/feed.xml",
    "/sitemap.xml",
    "/about",
    "/robots.txt",
)


def test_every_public_page_runs_no_markdown_and_a_bounded_number_of_queries(
    app, client, make_post, make_comment, monkeypatch
):
    """The number of statements per page stays the same when the site grows."""
    import markdown

    post = make_post("Busy", tags="A, B, C")
    for number in range(10):
        make_comment(post, body=f"Comment {number}")

    def add_cards(start: int, count: int) -> None:
        for number in range(start, start + count):
            make_post(f"Card {number}", tags="A, B", featured=number % 7 == 0)

    def no_markdown(*args, **kwargs):
        raise AssertionError("Markdown ran during a page view")

    statements = []

    def count_statements() -> dict[str, int]:
        """Each page rendered (the first view), then served as stored (the second)."""
        counts = {}
        for template in PUBLIC_PAGES:
            url = template.format(year=utcnow().year, month=utcnow().month)
            statements.clear()
            response = client.get(url, headers=BROWSER)
            assert response.status_code == 200, url
            # The store's lookup, and its write once the page is sent, aside.
            rendering = [text for text in statements if "stored_pages" not in text]
            assert len(rendering) <= 14, (url, statements)
            counts[url] = len(statements)
            statements.clear()
            assert client.get(url, headers=BROWSER).status_code == 200
            if not url.startswith(("/search", "/robots")):
                assert len(statements) <= 2, (url, statements)  # stored: one query
            counts[url, "again"] = len(statements)
        return counts

    add_cards(0, 25)
    monkeypatch.setattr(markdown.Markdown, "convert", no_markdown)
    event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    smaller = count_statements()
    monkeypatch.undo()
    add_cards(25, 25)
    monkeypatch.setattr(markdown.Markdown, "convert", no_markdown)
    assert count_statements() == smaller


@pytest.mark.parametrize(
    "url, pages_css",
    [
        ("/", True),
        ("/post/landmarks", False),
        ("/about", False),
        ("/login", True),
        ("/no-such-page", True),
    ],
)
def test_every_page_has_a_skip_link_landmarks_and_its_stylesheets(
    client, make_post, url, pages_css
):
    import html5lib

    make_post("Landmarks")
    tree = html5lib.parse(client.get(url).text, namespaceHTMLElements=False)
    first_link = next(tree.iter("a"))
    assert (first_link.get("href"), first_link.text) == ("#main", "Skip to content")
    assert [main.get("id") for main in tree.iter("main")] == ["main"]
    landmarks = [child.tag for child in tree.find("body") if child.tag != "script"]
    assert landmarks == ["a", "header", "main", "footer"]
    assert any(nav.get("aria-label") for nav in tree.iter("nav"))
    links = [link for link in tree.iter("link") if link.get("rel") == "stylesheet"]
    sheets = [(link.get("href").split("?v=")[0], link.get("media")) for link in links]
    extra = [("/static/css/pages.css", None)] if pages_css else []
    assert sheets == [("/static/css/site.css", None), *extra, ("/static/css/print.css", "print")]
    assert client.get("/static/css/print.css").status_code == 200


@pytest.mark.parametrize("config_overrides", [{"STORED_PAGES": False}])  # counts at once
def test_counters_that_are_zero_are_not_shown(client, make_post):
    post = make_post("Fresh post")
    home = client.get("/").get_data(as_text=True)
    assert "0 views" not in home and "0 comments" not in home and "0 likes" not in home
    assert 'class="post-stats"' not in home
    page = client.get(f"/post/{post.slug}").get_data(as_text=True)
    assert "0 comments" not in page and "0 views" not in page
    assert '<h2 id="comments-heading">Comments</h2>' in page and "No comments yet." in page
    assert re.search(r"<li data-like-label hidden>0 likes</li>", page)  # the like button's
    post.view_count, post.comment_count, post.like_count = 3, 1, 2
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    assert "3 views" in home and "1 comment</a>" in home and "2 likes" in home


def test_titles_get_typographic_quotes_and_dashes_as_bodies_do(client, make_post):
    post = make_post("Don't \"panic\" -- it's 'only' a cold...")
    shown = "Don’t “panic” – it’s ‘only’ a cold…"
    page = client.get(f"/post/{post.slug}").get_data(as_text=True)
    assert f'<h1 id="post-title" class="post__title">{shown}</h1>' in page
    assert f"<title>{shown} ·" in page and f'property="og:title" content="{shown}"' in page
    assert shown in client.get("/").get_data(as_text=True)
    assert shown in client.get("/archive").get_data(as_text=True)
    found = client.get("/search?q=panic").get_data(as_text=True)
    assert "Don’t “<mark>panic</mark>” – it’s ‘only’ a cold…" in found
    assert post.title == "Don't \"panic\" -- it's 'only' a cold..."  # stored as typed
