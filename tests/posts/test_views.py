"""Views: counted by the page's script, once per reader per post per day, written in
batches by each process, never by the page view itself, and never at a reader's cost."""

import logging
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, PostStatus, PostView, ViewReceipt
from blog.posts import stats
from tests.comment_helpers import BROWSER, like_twice, see, write_views
from tests.conftest import ROOT, sign_in

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def config_overrides():
    """Each test writes the views itself (the writer thread waits an hour)."""
    return {"VIEW_FLUSH_SECONDS": 3600}


@pytest.fixture(autouse=True)
def stop_the_writer(app):
    yield
    app.extensions[stats.EXTENSION].close()


@pytest.fixture
def sql(app):
    """Every statement the app sends to the database while the test runs."""
    statements: list[str] = []

    def spy(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", spy)
    yield statements
    event.remove(db.engine, "before_cursor_execute", spy)


def views(post) -> tuple[int, int]:
    """The post's total and its count for today, as the database has them now."""
    db.session.commit()  # a new transaction sees what was written since
    total = db.session.get(Post, post.id).view_count
    today = db.session.scalar(
        select(PostView.count).where(PostView.post_id == post.id, PostView.day == utcnow().date())
    )
    return total, today or 0


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_reading_a_post_writes_nothing_and_the_beacon_reads_nothing(client, make_post, sql):
    make_post("Read")
    sql.clear()
    page = client.get("/post/read", headers=BROWSER)
    assert page.status_code == 200
    assert 'data-view-beacon="/post/read/seen"' in page.text
    assert '<script src="/static/js/views.js?v=' in page.text
    # The first view stores the page for the others (after it is sent); none writes more.
    writes = [s for s in sql if s.startswith(WRITES)]
    assert writes and all("stored_pages" in s for s in writes), writes
    sql.clear()
    assert client.get("/post/read", headers=BROWSER).text == page.text
    assert not [s for s in sql if s.startswith(WRITES) or "IMMEDIATE" in s], sql
    sql.clear()
    assert see(client, "read").status_code == 204
    assert sql == []


def test_a_reader_counts_once_a_day_however_often_they_read(client, make_post):
    post = make_post("Counted")
    for _ in range(5):
        client.get("/post/counted", headers=BROWSER)
        see(client, "counted")
        write_views()
    assert views(post) == (1, 1)


def test_two_readers_count_twice(app, make_post):
    post = make_post("Counted")
    see(app.test_client(), "counted", **from_address("192.0.2.1"))
    see(app.test_client(), "counted", **from_address("192.0.2.2"))
    assert write_views() == 2
    assert views(post) == (2, 2)


def test_browsers_with_the_reader_cookie_count_apart_behind_one_address(app, make_post):
    post = make_post("Counted")
    readers = [app.test_client() for _ in range(2)]
    for reader in readers:
        like_twice(reader, "counted")  # each gets its own reader cookie
        see(reader, "counted")
        see(reader, "counted", **from_address("198.51.100.7"))  # moved to another network
    assert write_views() == 2
    assert views(post) == (2, 2)


def test_an_ipv6_reader_without_a_cookie_is_one_network(app, make_post):
    post = make_post("Counted")
    for address in ("2001:db8:1:2::1", "2001:db8:1:2::99", "2001:db8:1:2:abcd::5"):
        see(app.test_client(), "counted", **from_address(address))
    see(app.test_client(), "counted", **from_address("2001:db8:1:3::1"))
    write_views()
    assert views(post) == (2, 2)


def test_the_next_day_the_same_reader_counts_again(client, make_post):
    post = make_post("Counted")
    see(client, "counted")
    write_views()
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        see(client, "counted")
        see(client, "counted")
        write_views()
    db.session.expire_all()
    assert db.session.get(Post, post.id).view_count == 2
    days = db.session.scalars(select(PostView.count).where(PostView.post_id == post.id))
    assert list(days) == [1, 1]


def test_receipts_keep_neither_the_address_nor_the_cookie_and_change_daily(client, make_post):
    first = make_post("First")
    second = make_post("Second")
    like_twice(client, "first")
    cookie = client.get_cookie("rounds_reader").value
    see(client, "first")
    see(client, "second")
    write_views()
    with time_machine.travel(utcnow() + timedelta(days=1), tick=False):
        see(client, "first")
        write_views()
    receipts = db.session.scalars(select(ViewReceipt).order_by(ViewReceipt.day)).all()
    assert len(receipts) == 3 and {r.post_id for r in receipts} == {first.id, second.id}
    hashes = [receipt.reader_hash for receipt in receipts]
    assert len(set(hashes)) == 3  # not linkable across posts or days
    for value in hashes:
        assert "127.0.0.1" not in value and cookie.split(".")[0] not in value


def test_many_views_are_written_in_one_transaction(app, make_post, sql):
    posts = [make_post(f"Post {number}") for number in range(3)]
    slugs = [post.slug for post in posts]
    sql.clear()
    for number in range(60):
        see(app.test_client(), slugs[number % 3], **from_address(f"10.0.0.{number}"))
    assert sql == []
    assert write_views() == 60
    assert len([s for s in sql if s.startswith("BEGIN")]) == 1
    assert "BEGIN IMMEDIATE" in sql
    assert [views(post) for post in posts] == [(20, 20)] * 3


@pytest.mark.parametrize("config_overrides", [{"VIEW_FLUSH_SECONDS": 0.2}])
def test_the_writer_thread_writes_at_most_once_an_interval(app, make_post, sql):
    post = make_post("Busy")
    sql.clear()
    started = time.monotonic()
    number = 0
    while time.monotonic() - started < 1.2:
        see(app.test_client(), "busy", **from_address(f"10.1.{number // 250}.{number % 250}"))
        number += 1
    deadline = time.monotonic() + 5
    while views(post)[0] < number and time.monotonic() < deadline:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert views(post) == (number, number)
    writes = len([s for s in sql if s == "BEGIN IMMEDIATE"])
    assert 1 <= writes <= elapsed / 0.2 + 1, (writes, number, elapsed)


@pytest.mark.parametrize("config_overrides", [{"VIEW_FLUSH_SECONDS": 0.05}])
def test_a_failing_write_never_reaches_a_reader_and_the_views_wait(
    app, client, make_post, monkeypatch, caplog
):
    post = make_post("Read")

    def broken(_views):
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(stats, "write_views", broken)
    with caplog.at_level(logging.ERROR):
        for _ in range(3):
            assert see(client, "read").status_code == 204
            assert client.get("/post/read", headers=BROWSER).status_code == 200
            time.sleep(0.1)  # the writer thread tries, and fails, meanwhile
        assert write_views() == 0
    assert "Could not write 1 counted views" in caplog.text
    assert caplog.text.count("Could not write") == 1  # said once, not every second
    assert views(post) == (0, 0)
    monkeypatch.undo()
    deadline = time.monotonic() + 5
    while views(post) != (1, 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert views(post) == (1, 1)


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
        {"User-Agent": "curl/8.0"},
        {"User-Agent": ""},
        {**BROWSER, "Sec-Purpose": "prefetch"},
    ],
)
def test_bots_and_prefetches_are_not_counted(client, make_post, headers):
    post = make_post("Not counted")
    assert see(client, "not-counted", headers=headers).status_code == 204
    write_views()
    assert views(post) == (0, 0)


def test_the_signed_in_author_is_not_counted_and_her_page_sends_no_beacon(
    client, make_post, author
):
    post = make_post("Mine", author=author)
    sign_in(client, author)
    page = client.get("/post/mine", headers=BROWSER).text
    assert "data-view-beacon" not in page and "views.js" not in page
    see(client, "mine")
    write_views()
    assert views(post) == (0, 0)


@pytest.mark.parametrize(
    "fields",
    [{"status": PostStatus.DRAFT}, {"deleted_at": utcnow()}, {"slug": "renamed-since"}],
)
def test_views_of_posts_readers_cant_see_are_dropped(client, make_post, fields):
    post = make_post("Hidden", **fields)
    see(client, "hidden")
    see(client, "x" * 201)
    assert write_views() == 0
    assert views(post) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(ViewReceipt)) == 0


@pytest.mark.parametrize(
    "headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}]
)
def test_another_sites_page_cannot_count_views(client, make_post, headers):
    post = make_post("Read")
    response = see(client, "read", headers={**BROWSER, **headers})
    assert response.status_code == 403 and response.headers.getlist("Set-Cookie") == []
    write_views()
    assert views(post) == (0, 0)


def test_a_clean_shutdown_writes_what_is_left(app, client, make_post):
    post = make_post("Read")
    see(client, "read")
    stats.close_all()  # what atexit and gunicorn's worker_exit run
    assert views(post) == (1, 1)


def test_a_process_that_exits_writes_its_views(app, make_post, tmp_path):
    """A real interpreter exit, with the writer thread still waiting: atexit writes."""
    post_id = make_post("Read").id
    script = f"""
import sys
from blog import create_app
app = create_app({{"TESTING": True, "SECRET_KEY": "x" * 32, "VIEW_FLUSH_SECONDS": 3600,
    "SQLALCHEMY_DATABASE_URI": {app.config["SQLALCHEMY_DATABASE_URI"]!r},
    "MEDIA_DIR": {str(tmp_path / "media")!r}}})
response = app.test_client().post("/post/read/seen", headers={BROWSER!r})
sys.exit(0 if response.status_code == 204 else 1)
"""
    db.session.remove()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert db.session.get(Post, post_id).view_count == 1


def test_purge_deletes_receipts_older_than_two_days(runner, make_post):
    post = make_post("Read")
    today = utcnow().date()
    for days_ago in range(5):
        db.session.add(
            ViewReceipt(post_id=post.id, day=today - timedelta(days=days_ago), reader_hash="a")
        )
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 view receipts older than 2 days" in result.output
    left = db.session.scalars(select(ViewReceipt.day).order_by(ViewReceipt.day)).all()
    assert left == [today - timedelta(days=n) for n in (2, 1, 0)]
