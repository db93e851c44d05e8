"""Each worker's front door (blog.public.front_door) serves stored pages from memory to
readers without the site's cookies, and nothing else: what a reader gets is the page
Flask would send, current to the last write."""

import re
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from flask import request_started
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.test import Client

from blog.comments import spam
from blog.core import page_store
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, StoredPage
from blog.posts import search as site_search
from blog.public import front_door
from tests.comment_helpers import BROWSER, FAST_FORMS, post_comment
from tests.conftest import sign_in

FEED_READER = {"Accept": "application/atom+xml"}
BROWSER_PAGE = {**BROWSER, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAGES = ("/post/salt", "/", "/tag/heart", "/archive", "/about", "/feed.xml", "/sitemap.xml")


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.fixture
def site(make_post):
    make_post("Potassium", tags="Heart", published_at=utcnow() - timedelta(days=2))
    return make_post("Salt", body="Salt *matters*.", tags="Heart")


@pytest.fixture
def reader(app):
    return app.test_client()


@pytest.fixture
def flask_answered(app):
    """The requests that reached Flask (the front door answers the others itself)."""
    seen: list[str] = []

    def note(_sender, **_extra):
        from flask import request

        seen.append(request.full_path.rstrip("?"))

    request_started.connect(note, app)
    yield seen
    request_started.disconnect(note, app)


def same_headers(first, second) -> None:
    for name, value in first.headers.items():
        if name not in ("X-Request-Id", "Date", "ETag"):
            assert second.headers.get(name) == value, name
    assert set(second.headers.keys()) - {"ETag"} == set(first.headers.keys()) - {"ETag"}


@time_machine.travel(time.time() // 60 * 60 + 1)  # one minute: one comment form start time
def test_a_second_reader_gets_the_page_from_memory_as_flask_sent_it(reader, site, flask_answered):
    for url in PAGES:
        first = reader.get(url, headers=BROWSER)
        second = reader.get(url, headers=BROWSER)
        assert first.status_code == second.status_code == 200, url
        assert second.data == first.data, url
        assert int(second.headers["Content-Length"]) == len(second.data)
        same_headers(first, second)
        assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert flask_answered == list(PAGES)
    assert "public" in second.headers["Cache-Control"]


def test_an_edit_shows_on_the_next_view(reader, site, flask_answered):
    assert "Salt <em>matters</em>" in reader.get("/post/salt").text
    site.body_html = "<p>Salt matters less than we thought.</p>"
    db.session.commit()
    assert "less than we thought" in reader.get("/post/salt").text
    assert "less than we thought" in reader.get("/post/salt").text
    assert flask_answered == ["/post/salt", "/post/salt"]


def test_a_kept_page_stops_when_its_time_runs_out(reader, site, flask_answered):
    reader.get("/post/salt")
    reader.get("/post/salt")
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        assert reader.get("/post/salt").status_code == 200
    assert flask_answered == ["/post/salt", "/post/salt"]


@pytest.mark.parametrize("cookie", ["session", "remember_token", "rounds_reader"])
def test_a_request_with_one_of_the_sites_cookies_goes_to_flask(
    app, reader, site, flask_answered, cookie
):
    reader.get("/post/salt")
    reader.set_cookie(cookie, "anything")
    reader.get("/post/salt")
    assert flask_answered == ["/post/salt", "/post/salt"]


def test_other_cookies_dont_keep_a_reader_from_the_page(reader, site, flask_answered):
    reader.get("/post/salt")
    reader.set_cookie("theme", "dark")
    assert reader.get("/post/salt").status_code == 200
    assert flask_answered == ["/post/salt"]


def test_the_author_and_a_commenter_get_their_own_pages(app, client, reader, site, author):
    reader.get("/post/salt")
    commenter = app.test_client()
    post_comment(commenter, site, body="My own question, waiting")
    assert "My own question, waiting" in commenter.get("/post/salt").text
    assert "My own question, waiting" not in reader.get("/post/salt").text
    sign_in(client, author)
    assert "Dashboard" in client.get("/post/salt", headers=BROWSER).text
    assert "Dashboard" not in reader.get("/post/salt", headers=BROWSER).text


def test_the_comment_form_start_time_is_signed_again_each_minute(reader, site):
    start = time.time() // 60 * 60 + 1
    tokens = []
    for minute in (0, 0, 5):
        with time_machine.travel(start + 60 * minute, tick=False):
            page = reader.get("/post/salt")
            [token] = re.findall(r'name="started" type="hidden" value="([^"]+)"', page.text)
            assert token == spam.form_token(site.id)
            tokens.append((token, page.headers["ETag"]))
    assert tokens[0] == tokens[1] and tokens[2][0] != tokens[0][0]
    assert tokens[2][1] != tokens[0][1]  # a new body, a new ETag


def test_a_conditional_request_gets_304_from_memory(reader, site, flask_answered):
    first = reader.get("/post/salt")
    again = reader.get("/post/salt", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    feed = reader.get("/feed.xml")
    since = reader.get("/feed.xml", headers={"If-Modified-Since": feed.headers["Last-Modified"]})
    assert since.status_code == 304
    assert flask_answered == ["/post/salt", "/feed.xml"]


def test_a_feed_is_kept_for_each_kind_of_reader(reader, site, flask_answered):
    for _ in range(2):
        assert reader.get("/feed.xml", headers=FEED_READER).mimetype == "application/atom+xml"
        assert reader.get("/feed.xml", headers=BROWSER_PAGE).mimetype == "application/xml"
    assert flask_answered == ["/feed.xml", "/feed.xml"]


def test_a_head_request_and_a_variant_go_to_flask(reader, site, flask_answered):
    reader.get("/post/salt")
    assert reader.head("/post/salt").status_code == 200
    assert reader.get(f"/post/salt?reply_to={site.id}").status_code == 200
    assert flask_answered == ["/post/salt", "/post/salt", f"/post/salt?reply_to={site.id}"]


def test_when_the_generation_cant_be_read_flask_serves_the_page(
    reader, site, flask_answered, monkeypatch
):
    reader.get("/post/salt")
    monkeypatch.setattr(page_store, "current_generation", lambda _engine: None)
    assert "Salt <em>matters</em>" in reader.get("/post/salt").text
    assert flask_answered == ["/post/salt", "/post/salt"]


def test_a_database_that_cant_be_read_is_not_an_error(app, reader, site, monkeypatch):
    reader.get("/post/salt")

    def broken():
        raise db.engine.dialect.dbapi.OperationalError("unable to open database file")

    monkeypatch.setattr(app.wsgi_app.engine, "raw_connection", broken)
    assert page_store.current_generation(app.wsgi_app.engine) is None


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "FRONT_DOOR_BYTES": 40_000}])
def test_memory_stays_within_its_budget_whatever_addresses_are_asked(app, reader, site):
    for number in range(200):
        assert reader.get(f"/tag/heart?utm={number:04}").status_code == 200
    door = app.wsgi_app
    assert 0 < door.size <= 40_000 and len(door.kept) < 200
    assert door.size == sum(kept.size for kept in door.kept.values())


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "FRONT_DOOR_BYTES": 120_000}])
def test_pages_readers_come_back_to_outlast_a_flood_of_new_addresses(
    app, reader, site, flask_answered
):
    """A stranger asking for endless made-up addresses churns only the pages asked for
    once; the post and home page, asked for again, stay in memory."""
    for url in ("/post/salt", "/", "/post/salt", "/"):
        reader.get(url, headers=BROWSER)
    for number in range(300):
        assert reader.get(f"/tag/heart?utm={number:04}").status_code == 200
        assert reader.get(f"/search?q=flood+{number}").status_code == 200
    flask_answered.clear()
    for url in ("/post/salt", "/"):
        assert reader.get(url, headers=BROWSER).status_code == 200
    assert flask_answered == []
    door = app.wsgi_app
    assert door.size <= 120_000 and door.returned_to_size <= 120_000 * front_door.PROTECTED_SHARE
    assert door.size == sum(kept.size for kept in door.kept.values())


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "FRONT_DOOR_BYTES": 120_000}])
def test_a_page_readers_come_back_to_stays_so_when_an_edit_makes_it_again(
    app, reader, site, flask_answered
):
    reader.get("/post/salt", headers=BROWSER)
    reader.get("/post/salt", headers=BROWSER)
    site.body_html = "<p>Salt, revised.</p>"
    db.session.commit()
    assert "Salt, revised." in reader.get("/post/salt", headers=BROWSER).text
    for number in range(300):
        reader.get(f"/tag/heart?utm={number:04}")
    flask_answered.clear()
    assert "Salt, revised." in reader.get("/post/salt", headers=BROWSER).text
    assert flask_answered == []


def test_a_new_page_is_kept_long_enough_to_be_asked_for_again(reader, site, flask_answered):
    for number in range(50):
        reader.get(f"/tag/heart?utm={number:04}")
        reader.get(f"/tag/heart?utm={number:04}")
    assert len(flask_answered) == 50


def in_memory(address: tuple, kept: front_door.Kept) -> int:
    """The bytes a kept page's own objects take: body, headers, address, bookkeeping."""
    objects = [kept, kept.offer, kept.headers, address, *address, kept.offer.template]
    objects += [part for header in kept.headers for part in (header, *header)]
    objects += [getattr(item, "__dict__", None) for item in (kept, kept.offer)]
    return sum(sys.getsizeof(item) for item in objects if item is not None)


def test_what_a_kept_page_is_counted_covers_what_it_takes(reader, site):
    """A search's page is small next to its headers and bookkeeping: counting only its
    body let a flood of searches hold twice FRONT_DOOR_BYTES."""
    for number in range(20):
        reader.get(f"/search?q=salt+{number}")
    door = reader.application.wsgi_app
    for address, kept in door.kept.items():
        assert in_memory(address, kept) <= kept.size, address


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "FRONT_DOOR_BYTES": 0}])
def test_the_front_door_can_be_turned_off(reader, site, flask_answered):
    reader.get("/post/salt")
    reader.get("/post/salt")
    assert flask_answered == ["/post/salt", "/post/salt"]


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "PROXY_COUNT": 1}])
def test_the_proxys_request_id_is_kept(reader, site):
    reader.get("/post/salt")
    sent = reader.get("/post/salt", headers={"X-Request-Id": "abcdef0123456789"})
    assert sent.headers["X-Request-Id"] == "abcdef0123456789"
    hostile = reader.get("/post/salt", headers={"X-Request-Id": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-Id"])


def test_a_post_taken_down_is_gone_on_the_next_view(reader, site):
    reader.get("/post/salt")
    post = db.session.get(Post, site.id)
    db.session.delete(post)
    db.session.commit()
    assert reader.get("/post/salt").status_code == 404


def test_while_a_page_out_of_time_is_rendered_again_the_others_get_the_kept_copy(
    app, site, flask_answered, monkeypatch
):
    """As stale-while-revalidate: the first request after a page's time runs out renders
    it again; the worker's other readers meanwhile get the kept copy, not a wait."""
    reader = app.test_client()
    reader.get("/post/salt")
    rendering, release = threading.Event(), threading.Event()
    find = page_store.find

    def slow_find(page_key):
        rendering.set()
        release.wait(10)
        return find(page_key)

    with time_machine.travel(utcnow() + timedelta(seconds=70), tick=False):
        monkeypatch.setattr(page_store, "find", slow_find)
        first = threading.Thread(target=lambda: reader.get("/post/salt"))
        first.start()
        assert rendering.wait(10)
        meanwhile = app.test_client().get("/post/salt")
        release.set()
        first.join(10)
        monkeypatch.setattr(page_store, "find", find)
        assert meanwhile.status_code == 200 and "Salt <em>matters</em>" in meanwhile.text
        assert flask_answered == ["/post/salt", "/post/salt"]  # the first and the renewal
        assert app.test_client().get("/post/salt").status_code == 200
        assert flask_answered == ["/post/salt", "/post/salt"]  # renewed: from memory again


def test_a_page_out_of_time_is_not_served_past_the_stale_seconds(app, site, flask_answered):
    reader = app.test_client()
    reader.get("/post/salt")
    door = app.wsgi_app
    [kept] = door.kept.values()
    kept.renewing_since = time.time()  # a renewal that never came back
    with time_machine.travel(utcnow() + timedelta(seconds=60 + 31), tick=False):
        reader.get("/post/salt")
    assert flask_answered == ["/post/salt", "/post/salt"]


def test_a_change_is_never_served_stale(app, site, flask_answered):
    reader = app.test_client()
    reader.get("/post/salt")
    [kept] = app.wsgi_app.kept.values()
    kept.renewing_since = time.time()  # another request is rendering it again
    site.body_html = "<p>Salt, revised.</p>"
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(seconds=65), tick=False):
        assert "Salt, revised." in reader.get("/post/salt").text


def test_a_repeated_search_comes_from_memory_until_something_changes(
    reader, site, make_post, flask_answered
):
    assert "Salt" in reader.get("/search?q=salt").text
    again = reader.get("/search?q=salt")
    assert "Salt" in again.text and "public" in again.headers["Cache-Control"]
    assert flask_answered == ["/search?q=salt"]
    make_post("Salt and sleep", body="Less salt, better sleep.")
    assert "and sleep" in reader.get("/search?q=salt").text  # "Salt" is highlighted
    assert "and sleep" not in reader.get("/search?q=potassium").text
    assert flask_answered == ["/search?q=salt", "/search?q=salt", "/search?q=potassium"]


def another_worker(app) -> Client:
    """A second worker's front door on the same site: its own memory, the same store."""
    door = app.wsgi_app
    return Client(front_door.FrontDoor(app, door.wsgi_app, door.engine))


def test_a_search_readers_repeat_runs_once_for_every_worker(app, reader, site, monkeypatch):
    reader.get("/search?q=salt")
    reader.get("/search?q=salt")  # asked again: stored for the other workers

    def search_again(*args, **kwargs):
        raise AssertionError("the search ran again")

    monkeypatch.setattr(site_search, "SearchPage", search_again)
    other = another_worker(app)
    for _ in range(2):
        shared = other.get("/search?q=salt")
        assert shared.status_code == 200 and "Salt" in shared.text
        assert "public" in shared.headers["Cache-Control"]


def test_a_shared_search_shows_a_change_on_the_next_view(app, reader, site, make_post):
    reader.get("/search?q=salt")
    reader.get("/search?q=salt")
    make_post("Salt and sleep", body="Less salt, better sleep.")
    assert "and sleep" in another_worker(app).get("/search?q=salt").text


def test_searches_asked_for_once_write_nothing(app, reader, site):
    def stored_pages() -> int:
        return db.session.scalar(select(func.count()).select_from(StoredPage))

    before = stored_pages()
    for number in range(30):
        assert reader.get(f"/search?q=salt+{number}").status_code == 200
    assert stored_pages() == before


def test_a_shared_search_drops_a_trashed_post_on_every_worker(app, reader, site):
    reader.get("/search?q=salt")
    reader.get("/search?q=salt")
    other = another_worker(app)
    assert 'href="/post/salt"' in other.get("/search?q=salt").text
    site.deleted_at = utcnow()
    db.session.commit()
    assert 'href="/post/salt"' not in other.get("/search?q=salt").text
    assert 'href="/post/salt"' not in reader.get("/search?q=salt").text


def test_a_search_that_failed_is_kept_nowhere(app, reader, site, monkeypatch, flask_answered):
    """A failing query gives the reader "No results" once, not every worker for a day."""

    def locked(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(site_search, "_result", locked)
    for _ in range(2):
        failed = reader.get("/search?q=salt")
        assert failed.status_code == 200 and "public" not in failed.headers["Cache-Control"]
        assert "could not run just now" in failed.text
    assert flask_answered == ["/search?q=salt", "/search?q=salt"]
    monkeypatch.undo()
    assert 'href="/post/salt"' in another_worker(app).get("/search?q=salt").text
    assert 'href="/post/salt"' in reader.get("/search?q=salt").text


def door_page(door: front_door.FrontDoor, path: str, size: int) -> None:
    """Keep a page of about ``size`` bytes at ``path``, as the front door does."""
    environ = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "HTTP_HOST": "h",
               "PATH_INFO": path, "QUERY_STRING": ""}  # fmt: skip
    headers = [("Cache-Control", "public")]
    overhead = front_door.KEPT_OVERHEAD + len("Cache-Controlpublic") + front_door.HEADER_OVERHEAD
    door.keep(environ, front_door.Offer(b"x" * (size - overhead), 1, utcnow()), "200 OK", headers)


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "FRONT_DOOR_BYTES": 100_000}])
def test_the_pages_readers_come_back_to_hold_at_most_their_share(app):
    door = app.wsgi_app
    for path in ("/a", "/b", "/c", "/d"):
        door_page(door, path, 20_000)
        with door.lock:
            door.served_again_locked(door.address({"wsgi.url_scheme": "http", "HTTP_HOST": "h",
                                                   "PATH_INFO": path}))  # fmt: skip
    assert door.returned_to_size == 80_000
    door_page(door, "/a", 24_000)  # made again, bigger
    assert door.returned_to_size <= 100_000 * front_door.PROTECTED_SHARE
    door_page(door, "/e", 24_000)  # a new page, with the rest full: kept, others make room
    assert ("http", "h", "", "/e", "") in door.on_trial
    assert door.size <= 100_000
    assert door.size == sum(kept.size for kept in door.kept.values())


def test_the_authors_search_is_her_own(client, reader, site, author, flask_answered):
    reader.get("/search?q=salt")
    sign_in(client, author)
    assert client.get("/search?q=salt", headers=BROWSER).headers["Cache-Control"] == "no-store"
    assert flask_answered[-1] == "/search?q=salt"


def test_each_type_of_a_feed_has_its_own_etag(reader, site):
    atom = reader.get("/feed.xml", headers=FEED_READER)
    page = reader.get("/feed.xml", headers=BROWSER_PAGE)
    assert atom.data == page.data and atom.headers["ETag"] != page.headers["ETag"]
    stale = reader.get("/feed.xml", headers={**FEED_READER, "If-None-Match": page.headers["ETag"]})
    assert stale.status_code == 200 and stale.mimetype == "application/atom+xml"


class Watched(threading.Event):
    """An Event that tells when the front door starts waiting on it."""

    waiting = threading.Event()

    def wait(self, timeout=None):
        if sys._getframe(1).f_globals["__name__"] == front_door.__name__:
            Watched.waiting.set()
        return super().wait(timeout)


@pytest.fixture
def held_at_flask(app, monkeypatch):
    """Requests for an address in ``held`` stop on reaching Flask until ``release`` is set."""
    Watched.waiting = threading.Event()
    hold = {"paths": set(), "at_flask": [], "release": threading.Event()}
    monkeypatch.setattr(threading, "Event", Watched)  # the front door's, from here on

    def stop(_sender, **_extra):
        from flask import request

        if request.path in hold["paths"]:
            hold["at_flask"].append(request.path)
            hold["release"].wait(10)

    request_started.connect(stop, app)
    yield hold
    hold["release"].set()
    request_started.disconnect(stop, app)


def at_flask(hold: dict, count: int) -> bool:
    """Wait (10 s at most) until ``count`` held requests are at Flask together."""
    for _ in range(1000):
        if len(hold["at_flask"]) >= count:
            return True
        time.sleep(0.01)
    return False


def ask_in_thread(app, path: str, answers: list):
    thread = threading.Thread(target=lambda: answers.append(app.test_client().get(path)))
    thread.start()
    return thread


def second_while_first_at_flask(app, hold: dict, path: str) -> list:
    """Two readers ask for ``path``; the second while the first is held at Flask, and
    the front door makes it wait. Both answers, once the first is let go."""
    hold["paths"].add(path.split("?")[0])
    answers: list = []
    first = ask_in_thread(app, path, answers)
    assert at_flask(hold, 1)
    second = ask_in_thread(app, path, answers)
    assert Watched.waiting.wait(10)  # the second waits for the first's page
    hold["release"].set()
    first.join(10), second.join(10)
    return answers


def test_readers_asking_at_once_for_a_new_search_get_one_render(
    app, site, flask_answered, held_at_flask
):
    answers = second_while_first_at_flask(app, held_at_flask, "/search?q=salt")
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].data == answers[1].data and "Salt" in answers[1].text
    assert flask_answered == ["/search?q=salt"]


def test_an_address_whose_answer_is_not_kept_is_asked_for_by_each_reader(
    app, site, flask_answered, held_at_flask
):
    answers = second_while_first_at_flask(app, held_at_flask, "/post/nothing-here")
    assert [answer.status_code for answer in answers] == [404, 404]
    assert flask_answered == ["/post/nothing-here"] * 2  # waited, then asked itself
    # Known now as an address not kept: readers no longer wait for one another.
    held_at_flask["release"].clear()
    held_at_flask["at_flask"].clear()
    Watched.waiting.clear()
    both = [ask_in_thread(app, "/post/nothing-here", answers) for _ in range(2)]
    assert at_flask(held_at_flask, 2) and not Watched.waiting.is_set()
    held_at_flask["release"].set()
    [thread.join(10) for thread in both]
    assert [answer.status_code for answer in answers] == [404] * 4


@pytest.mark.parametrize(
    "config_overrides",
    [{**FAST_FORMS, "RATELIMIT_ENABLED": True, "SEARCH_RATE_LIMIT": "1 per 2 days"}],
)
def test_a_renewal_that_fails_leaves_no_old_copy_behind(app, site, flask_answered):
    """The first reader after a kept search's time runs out renews it; when that reader is
    refused (their network's searches used up), the others don't get the old copy for
    PUBLIC_STALE_SECONDS: the next one renews it."""
    limited = {"REMOTE_ADDR": "192.0.2.1"}
    assert app.test_client().get("/search?q=salt", environ_base=limited).status_code == 200
    with time_machine.travel(utcnow() + timedelta(days=1, seconds=10), tick=False):
        refused = app.test_client().get("/search?q=salt", environ_base=limited)
        assert refused.status_code == 429
        other = app.test_client().get("/search?q=salt", environ_base={"REMOTE_ADDR": "192.0.2.2"})
    assert other.status_code == 200 and "Salt" in other.text
    assert flask_answered == ["/search?q=salt"] * 3  # the third renewed it, not served stale


def test_pages_that_show_no_counters_keep_until_a_change(reader, site, flask_answered):
    """Feeds, the sitemap, searches, the archive and the about page show no views, likes
    or comment counts: nothing but a change (or a day) makes them old."""
    paths = ("/feed.xml", "/sitemap.xml", "/search?q=salt", "/archive", "/about")
    for path in paths:
        reader.get(path, headers=FEED_READER)
    with time_machine.travel(utcnow() + timedelta(hours=2)):
        for path in paths:
            assert reader.get(path, headers=FEED_READER).status_code == 200
        assert flask_answered == list(paths)  # still from memory
        site.title = "Salt, revised"
        db.session.commit()
        assert "Salt, revised" in reader.get("/feed.xml", headers=FEED_READER).text
        assert ", revised" in reader.get("/search?q=salt").text  # "Salt" is highlighted
        assert "Salt, revised" in reader.get("/archive").text
