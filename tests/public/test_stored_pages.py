"""Readers' pages are rendered once and served from the database by every worker until
what they show changes; each kind of change shows on the next anonymous view."""

import logging
import re
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select

from blog import create_app
from blog.comments import spam
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import (
    Author,
    Comment,
    PageGeneration,
    Post,
    PostStatus,
    StoredPage,
    Tag,
)
from tests.comment_helpers import BROWSER, FAST_FORMS, post_comment, see, write_views
from tests.conftest import IsolatedClient, base_config, sign_in

STORED = ("/post/salt", "/", "/tag/heart", "/archive", "/about", "/feed.xml", "/sitemap.xml",
          "/tag/heart/feed.xml")  # fmt: skip


@pytest.fixture(params=["front door", "store only"])
def config_overrides(request):
    """Every test twice: with each worker's front door (blog.public.front_door) serving
    pages from memory, and with the database's store alone."""
    front_door = {} if request.param == "front door" else {"FRONT_DOOR_BYTES": 0}
    return {**FAST_FORMS, **front_door}


@pytest.fixture
def site(make_post):
    older = make_post("Potassium", tags="Heart", published_at=utcnow() - timedelta(days=2))
    post = make_post("Salt", body="Salt *matters*.", tags="Heart")
    return older, post


@pytest.fixture
def reader(app):
    """A reader without any of the site's cookies."""
    return app.test_client()


class Statements:
    """The SQL statements the requests made while it is active."""

    def __init__(self):
        self.seen: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self.note)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self.note)

    def note(self, _conn, _cursor, statement, *_args):
        self.seen.append(statement)


def stored_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredPage))


def generation() -> int:
    return db.session.scalar(select(PageGeneration.value))


def no_markdown(monkeypatch):
    import markdown

    def refuse(*_args, **_kwargs):
        raise AssertionError("Markdown ran during a page view")

    monkeypatch.setattr(markdown.Markdown, "convert", refuse)


def test_a_stored_page_costs_one_query_no_markdown_and_no_template(app, reader, site, monkeypatch):
    for url in STORED:
        assert reader.get(url, headers=BROWSER).status_code == 200, url
    assert stored_count() == len(STORED) + 1  # and the post's ways onward
    no_markdown(monkeypatch)
    monkeypatch.setattr(app.jinja_env, "get_template", None)  # no template is rendered
    for url in STORED:
        with Statements() as sql:
            response = reader.get(url, headers=BROWSER)
        assert response.status_code == 200, url
        queries = [text for text in sql.seen if text.lstrip().upper().startswith("SELECT")]
        if app.config["FRONT_DOOR_BYTES"]:  # only the generation, read past the ORM
            assert sql.seen == [], (url, sql.seen)
        else:
            assert len(queries) == 1 and len(sql.seen) <= 2, (url, sql.seen)


@time_machine.travel(time.time() // 60 * 60 + 1)  # both in one minute: one start time
def test_the_stored_page_is_the_page(reader, site):
    first = reader.get("/post/salt", headers=BROWSER)
    second = reader.get("/post/salt", headers=BROWSER)
    assert second.text == first.text and "Salt <em>matters</em>" in second.text
    for header in ("Cache-Control", "Content-Type", "Vary", "ETag"):
        assert second.headers[header] == first.headers[header], header
    feed = reader.get("/feed.xml")
    again = reader.get("/feed.xml", headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 304
    assert reader.get("/feed.xml").headers["Last-Modified"] == feed.headers["Last-Modified"]


def test_every_worker_serves_the_page_another_stored(app, reader, site, tmp_path, config_overrides):
    reader.get("/post/salt", headers=BROWSER)
    config = base_config(tmp_path / "unused.sqlite3", tmp_path)
    other = create_app({**config, **config_overrides, "SQLALCHEMY_DATABASE_URI": app.config[
        "SQLALCHEMY_DATABASE_URI"]})  # fmt: skip
    other.test_client_class = IsolatedClient
    with other.app_context(), Statements() as sql:
        assert "Salt <em>matters</em>" in other.test_client().get("/post/salt").text
        db.engine.dispose()
    assert len(sql.seen) <= 2


def test_the_comment_form_start_time_is_made_for_each_view(reader, site):
    _older, post = site
    start = time.time() // 60 * 60 + 1
    with time_machine.travel(start, tick=False):
        stored = reader.get("/post/salt").text
    with time_machine.travel(start + 600, tick=False):
        later = reader.get("/post/salt").text
        [token] = re.findall(r'name="started" type="hidden" value="([^"]+)"', later)
        assert token == spam.form_token(post.id) and token not in stored
    raw = zlib_body(db.session.scalar(select(StoredPage.body)))
    assert "rounds:started" in raw and 'name="started"' in raw


def zlib_body(body: bytes) -> str:
    import zlib

    return zlib.decompress(body).decode()


def test_a_sent_comment_uses_the_stored_pages_start_time(app, reader, site):
    _older, post = site
    page = reader.get("/post/salt").text
    [token] = re.findall(r'name="started" type="hidden" value="([^"]+)"', page)
    assert spam.form_token_problem(token, post.id) is None
    response = post_comment(app.test_client(), post, started=token)
    assert response.status_code == 303


# -- What is never stored or served from the store ----------------------------------------


def test_the_signed_in_author_gets_her_own_page_and_it_is_not_stored(app, client, site, author):
    sign_in(client, author)
    assert "Dashboard" in client.get("/post/salt", headers=BROWSER).text
    assert stored_count() == 1  # the post's ways onward, the same for all, not her page
    assert "Dashboard" not in app.test_client().get("/post/salt", headers=BROWSER).text
    assert "Dashboard" in client.get("/post/salt", headers=BROWSER).text  # not the stored one


def test_a_reader_with_their_cookie_never_gets_the_stored_page(app, reader, site):
    _older, post = site
    reader.get("/post/salt")
    commenter = app.test_client()
    post_comment(commenter, post, body="My own question, waiting")
    assert "My own question, waiting" in commenter.get("/post/salt").text
    assert "My own question, waiting" not in reader.get("/post/salt").text


def test_an_address_asking_for_a_variant_is_rendered(app, reader, site, make_comment):
    _older, post = site
    comment = make_comment(post, body="First!")
    reader.get("/post/salt")
    replying = reader.get(f"/post/salt?reply_to={comment.id}").text
    assert "Replying to <strong data-replying-name>Reader</strong>" in replying
    assert "data-replying hidden" in reader.get("/post/salt?utm_source=x").text


def test_pages_of_a_listing_are_stored_apart(reader, make_post):
    for number in range(12):
        make_post(f"Card {number}", published_at=utcnow() - timedelta(hours=number + 1))
    assert "Card 0" in reader.get("/").text
    assert "Card 11" in reader.get("/?page=2").text and "Card 0" not in reader.get("/?page=2").text
    assert reader.get("/?page=1").text == reader.get("/").text
    assert reader.get("/?page=3").status_code == 404


# -- Each change shows on the next view ---------------------------------------------------


def visit_all(reader) -> None:
    for url in STORED:
        assert reader.get(url).status_code == 200, url


def test_an_edit_shows_at_once(author_client, reader, site):
    _older, post = site
    visit_all(reader)
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": "Salt, revisited", "slug": "salt", "body": "Less *salt*.",
              "tags": "Heart", "status": "published", "audience": "patients"},
    )  # fmt: skip
    assert response.status_code in (302, 303)
    for url in ("/post/salt", "/", "/tag/heart", "/archive", "/feed.xml"):
        assert "Salt, revisited" in reader.get(url).text, url
    assert "Less <em>salt</em>" in reader.get("/post/salt").text


def test_an_approved_comment_shows_at_once(app, author_client, reader, site):
    _older, post = site
    post_comment(app.test_client(), post, body="Waiting for the author")
    visit_all(reader)
    assert "Waiting for the author" not in reader.get("/post/salt").text
    comment_id = db.session.scalar(select(Comment.id))
    assert author_client.post(f"/admin/comments/{comment_id}/approve").status_code in (302, 303)
    page = reader.get("/post/salt").text
    assert "Waiting for the author" in page and "1 comment" in page


def test_a_pending_comment_view_or_like_does_not_unstore_pages(app, reader, site):
    _older, post = site
    visit_all(reader)
    before = generation()
    post_comment(app.test_client(), post, body="Held for moderation")
    see(app.test_client(), "salt")
    write_views()
    visitor = app.test_client()
    visitor.post("/post/salt/like")
    visitor.post("/post/salt/like")
    assert generation() == before


def test_view_counts_on_a_stored_page_are_at_most_a_minute_old(app, reader, site):
    reader.get("/post/salt")
    see(app.test_client(), "salt")
    write_views()
    assert "1 view" not in reader.get("/post/salt").text  # still the stored page
    with time_machine.travel(time.time() + 61):
        assert "1 view" in reader.get("/post/salt").text


def test_a_settings_change_shows_at_once(author_client, reader, site):
    from tests.author.test_settings import settings_form

    visit_all(reader)
    assert author_client.post("/admin/settings", data=settings_form()).status_code == 303
    for url in ("/post/salt", "/", "/tag/heart", "/archive", "/about", "/feed.xml"):
        assert "Heart Notes" in reader.get(url).text, url
    assert "Twenty years in" in reader.get("/about").text


def test_publishing_and_a_scheduled_post_going_live_show(author_client, reader, site, make_post):
    make_post("Draft on sleep", status=PostStatus.DRAFT)
    make_post("Scheduled fibre", status=PostStatus.SCHEDULED,
              published_at=utcnow() + timedelta(hours=2))  # fmt: skip
    visit_all(reader)
    home = reader.get("/").text
    assert "Draft on sleep" not in home and "Scheduled fibre" not in home
    draft = db.session.scalar(select(Post).where(Post.title == "Draft on sleep"))
    draft.status, draft.published_at = PostStatus.PUBLISHED, utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Draft on sleep" in reader.get("/").text
    with time_machine.travel(utcnow() + timedelta(hours=3)):
        for url in ("/", "/archive", "/feed.xml", "/sitemap.xml"):
            assert "fibre" in reader.get(url).text, url
        assert "Scheduled fibre" in reader.get("/post/draft-on-sleep").text  # next post


def test_a_trashed_post_leaves_every_page(author_client, reader, site):
    older, post = site
    visit_all(reader)
    assert author_client.post(f"/admin/posts/{post.id}/delete").status_code == 303
    assert reader.get("/post/salt").status_code == 410
    for url in ("/", "/tag/heart", "/archive", "/feed.xml", "/sitemap.xml"):
        assert "/post/salt" not in reader.get(url).text, url
    assert "Next post" not in reader.get("/post/potassium").text


def test_a_renamed_tag_and_a_new_byline_show(reader, site):
    visit_all(reader)
    tag = db.session.scalar(select(Tag).where(Tag.slug == "heart"))
    tag.name = "Cardiology"
    db.session.commit()
    for url in ("/post/salt", "/", "/tag/heart"):
        assert "Cardiology" in reader.get(url).text, url
    author = db.session.scalar(select(Author))
    author.name = "Dr. Renamed"
    db.session.commit()
    assert "Dr. Renamed" in reader.get("/post/salt").text


def test_comments_closing_by_age_shows(reader, site):
    from tests.comment_helpers import change_settings

    change_settings(close_comments_after_days=1)
    assert "Leave a comment" in reader.get("/post/salt").text
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1)):
        assert "Comments are closed on this post." in reader.get("/post/salt").text


# -- Bounded, and never in the way --------------------------------------------------------


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "STORED_PAGES_MAX": 3}])
def test_the_store_keeps_at_most_its_limit_newest_first(reader, make_post):
    for number in range(6):
        make_post(f"Note {number}")
    for number in range(6):
        with time_machine.travel(utcnow() + timedelta(seconds=number)):
            reader.get(f"/post/note-{number}")
    assert stored_count() == 3
    with Statements() as sql:
        reader.get("/post/note-5")
    assert len(sql.seen) <= 2  # the newest is kept


def test_pages_of_an_older_generation_are_dropped(reader, site):
    visit_all(reader)
    older = db.session.scalar(select(Post).where(Post.slug == "potassium"))
    older.title = "Potassium, again"
    db.session.commit()
    reader.get("/post/salt")
    assert stored_count() == 2  # the page and its ways onward


def test_a_page_that_cannot_be_stored_is_served_and_logged_once(app, reader, site, caplog):
    caplog.set_level(logging.INFO)

    def refuse(_conn, _cursor, statement, *_args):
        if "stored_pages" in statement and statement.lstrip().upper().startswith("INSERT"):
            raise db.engine.dialect.dbapi.OperationalError("database or disk is full")

    event.listen(db.engine, "before_cursor_execute", refuse)
    try:  # each its own address, so none is served from a front door's memory
        for attempt in range(3):
            assert "Salt <em>matters</em>" in reader.get(f"/post/salt?n={attempt}").text
    finally:
        event.remove(db.engine, "before_cursor_execute", refuse)
    assert caplog.text.count("Could not store a page") == 1
    reader.get("/post/salt?n=3")
    assert stored_count() == 2 and "Pages are stored again" in caplog.text


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "STORED_PAGES": False}])
def test_stored_pages_can_be_turned_off(reader, site):
    assert reader.get("/post/salt").status_code == 200
    assert stored_count() == 0


def test_related_and_neighbouring_posts_are_stored_for_pages_rendered_each_time(
    client, site, author
):
    """The author's page is rendered for her each time, but its ways onward are not."""
    sign_in(client, author)
    first = client.get("/post/salt", headers=BROWSER).text
    assert 'rel="prev" href="/post/potassium"' in first
    with Statements() as sql:
        again = client.get("/post/salt", headers=BROWSER).text
    assert again == first
    assert not [text for text in sql.seen if "UNION ALL" in text or "GROUP BY" in text]


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "STORED_PAGE_WAIT_SECONDS": 120}])
def test_readers_asking_at_once_wait_for_one_rendering(app, site, monkeypatch):
    """While one request renders a page to store, the others for it wait for its copy."""
    import threading

    from blog.public import views

    rendered = []
    started = threading.Event()
    original = views.render_post_page

    def slow_render(post, *args, **kwargs):
        rendered.append(post.slug)
        started.set()
        time.sleep(0.5)  # the others arrive while this one renders
        return original(post, *args, **kwargs)

    monkeypatch.setattr(views, "render_post_page", slow_render)
    pages = []

    def read():
        pages.append(app.test_client().get("/post/salt", headers=BROWSER).text)

    first = threading.Thread(target=read)
    first.start()
    started.wait(60)
    others = [threading.Thread(target=read) for _ in range(3)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(120)
    assert rendered == ["salt"]
    assert len(pages) == 4 and all("Salt <em>matters</em>" in page for page in pages)
