"""Spam defences: honeypot, signed form time, rate limits, links, blocklist, purge."""

import time
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select, text

from blog.comments import purge as purge_module
from blog.comments import spam
from blog.core.clock import utcnow
from blog.core.keys import ip_hash
from blog.extensions import db
from blog.models import Comment, CommentStatus, Moderation
from tests.comment_helpers import (
    BROWSER,
    FAST_FORMS,
    change_settings,
    comments,
    form_data,
    post_comment,
)
from tests.conftest import sign_in


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


def test_honeypot_pretends_success_and_files_it_as_spam(client, make_post):
    post = make_post("Sleep")
    response = post_comment(client, post, website="http://spam.example", body="Buy now")
    assert response.status_code == 303
    assert response.headers["Location"] == "/post/sleep#comments"
    [comment] = comments()
    assert comment.status == CommentStatus.SPAM
    assert "hidden form field" in comment.hold_reason
    assert "Buy now" not in client.get("/post/sleep").get_data(as_text=True)


def test_honeypot_field_is_hidden_from_people(client, make_post):
    make_post("Sleep")
    page = client.get("/post/sleep").get_data(as_text=True)
    trap = page[page.index('class="comment-form__trap"') - 100 : page.index('name="website"') + 80]
    assert 'aria-hidden="true"' in trap and 'tabindex="-1"' in trap
    assert 'autocomplete="off"' in trap


def early_in_a_minute(seconds: float = 1):
    """The clock stopped ``seconds`` into the next minute (the start time's granularity)."""
    return time_machine.travel((time.time() // 60 + 1) * 60 + seconds, tick=False)


@pytest.mark.parametrize("config_overrides", [{"COMMENT_MIN_SECONDS": 3}])
def test_form_sent_too_fast_is_400_and_keeps_text(client, make_post):
    post = make_post("Sleep")
    with early_in_a_minute():
        response = post_comment(client, post, body="Typed at bot speed")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert spam.TOO_FAST in page and "Typed at bot speed" in page
    assert comments() == []


def test_the_start_time_is_the_same_all_minute_so_pages_can_be_shared(client, make_post):
    post = make_post("Sleep")
    with early_in_a_minute(1):
        first = spam.form_token(post.id)
    with early_in_a_minute(59):
        assert spam.form_token(post.id) == first
    with early_in_a_minute(61):
        assert spam.form_token(post.id) != first


@pytest.mark.parametrize("config_overrides", [{"COMMENT_MIN_SECONDS": 3}])
def test_form_sent_after_waiting_is_accepted(client, make_post):
    post = make_post("Sleep")
    with time_machine.travel(utcnow() - timedelta(seconds=10), tick=False):
        started = spam.form_token(post.id)
    assert post_comment(client, post, started=started).status_code == 303


def test_form_older_than_the_maximum_is_400_and_keeps_text(app, client, make_post):
    post = make_post("Sleep")
    hours = app.config["COMMENT_MAX_AGE_HOURS"]
    with time_machine.travel(utcnow() - timedelta(hours=hours, minutes=1), tick=False):
        started = spam.form_token(post.id)
    response = post_comment(client, post, started=started, body="Written over the weekend")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "open too long ago" in page and "Written over the weekend" in page


@pytest.mark.parametrize("started", ["", "garbage", "1.2.3"])
def test_missing_or_forged_start_time_is_400(client, make_post, started):
    post = make_post("Sleep")
    response = post_comment(client, post, started=started, body="Mine")
    assert response.status_code == 400
    assert "Mine" in response.get_data(as_text=True)


def test_start_time_signed_for_another_post_is_refused(client, make_post):
    post = make_post("Sleep")
    other = make_post("Other")
    response = post_comment(client, post, started=spam.form_token(other.id))
    assert response.status_code == 400


def test_the_page_serves_a_fresh_signed_start_time(client, make_post):
    post = make_post("Sleep")
    page = client.get("/post/sleep").get_data(as_text=True)
    start = page.index('name="started"')
    value = page[start:].split('value="', 1)[1].split('"', 1)[0]
    assert spam.form_token_problem(value, post.id) is None


@pytest.mark.parametrize(
    "config_overrides",
    [{**FAST_FORMS, "RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "2 per minute"}],
)
def test_rate_limit_answers_429_and_keeps_text(client, make_post):
    post = make_post("Sleep")
    assert post_comment(client, post, body="one").status_code == 303
    assert post_comment(client, post, body="two").status_code == 303
    response = post_comment(client, post, body="three, kept")
    assert response.status_code == 429 and response.headers["Retry-After"] == "60"
    page = response.get_data(as_text=True)
    assert "several comments in a short time" in page and "three, kept" in page
    assert len(comments()) == 2


@pytest.mark.parametrize(
    "config_overrides",
    [{**FAST_FORMS, "RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "2 per minute"}],
)
def test_rotating_addresses_inside_one_ipv6_64_shares_one_limit(client, make_post):
    post = make_post("Sleep")
    url = f"/post/{post.slug}/comments"

    def send(address, body):
        data = form_data(post, body=body)
        return client.post(url, data=data, headers=BROWSER, environ_base={"REMOTE_ADDR": address})

    statuses = [send(f"2001:db8:5::{n}", f"comment {n}").status_code for n in range(1, 4)]
    assert statuses == [303, 303, 429]
    assert send("2001:db8:6::1", "from the next network").status_code == 303


def test_more_links_than_allowed_holds_the_comment(app, client, make_post, make_comment):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Sleep")
    limit = app.config["COMMENT_MAX_LINKS"]
    links = " ".join(f"https://site{n}.example/page" for n in range(limit + 1))
    post_comment(client, post, body=f"See {links}")
    post_comment(client, post, body="Just https://one.example and [two](https://two.example)")
    held, published = comments()
    assert held.status == CommentStatus.PENDING and f"{limit + 1} links" in held.hold_reason
    assert published.status == CommentStatus.APPROVED


@pytest.mark.parametrize(
    ("fields", "entry"),
    [
        ({"body": "Cheap CASINO bonus"}, "casino"),
        ({"body": "visit https://www.spam.example/offer"}, "spam.example"),
        ({"email": "bot@spam.example"}, "spam.example"),
        ({"email": "Troll@Mail.example"}, "troll@mail.example"),
        ({"name": "casino king"}, "casino"),
    ],
)
def test_blocklist_sends_comment_to_spam(client, make_post, fields, entry):
    change_settings(
        moderation=Moderation.OPEN, blocklist="casino\n  Spam.Example \ntroll@mail.example\n"
    )
    post = make_post("Sleep")
    post_comment(client, post, **fields)
    [comment] = comments()
    assert comment.status == CommentStatus.SPAM
    assert entry in comment.hold_reason


@pytest.mark.parametrize(
    "fields",
    [
        {"body": "I play casinos... no: I read about casinoland"},
        {"body": "notspam.example is fine"},
        {"email": "friend@mail.example"},
    ],
)
def test_blocklist_matches_whole_entries_only(client, make_post, fields):
    blocklist = "casino\nspam.example\ntroll@mail.example"
    change_settings(moderation=Moderation.OPEN, blocklist=blocklist)
    post = make_post("Sleep")
    post_comment(client, post, **fields)
    assert comments()[0].status == CommentStatus.APPROVED


def test_ip_is_stored_only_as_a_hash(client, make_post):
    post = make_post("Sleep")
    post_comment(client, post)
    [comment] = comments()
    with client.application.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        assert comment.ip_hash == ip_hash("127.0.0.1")
    assert "127.0.0.1" not in comment.ip_hash


def old_and_new_comments(make_post, make_comment):
    post = make_post("Sleep")
    long_ago = utcnow() - timedelta(days=40)
    old_spam = make_comment(post, status=CommentStatus.SPAM, created_at=long_ago, body="old spam")
    make_comment(post, status=CommentStatus.SPAM, body="new spam")
    make_comment(post, parent=old_spam, body="reply kept", created_at=long_ago, ip_hash="a" * 32)
    make_comment(post, body="recent", ip_hash="b" * 32)
    return post


def test_purge_command_deletes_old_spam_and_erases_old_ip_hashes(runner, make_post, make_comment):
    post = old_and_new_comments(make_post, make_comment)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 spam comments older than 30 days" in result.output
    assert "erased 1 IP hashes older than 30 days" in result.output
    left = {c.body_md: c for c in comments()}
    assert set(left) == {"new spam", "reply kept", "recent"}
    assert left["reply kept"].ip_hash is None and left["reply kept"].parent_id is None
    assert left["recent"].ip_hash == "b" * 32
    assert db.session.get(type(post), post.id).comment_count == 2


def test_purge_gives_sqlite_query_planner_statistics(runner, make_post, make_comment):
    old_and_new_comments(make_post, make_comment)
    statistics = text("SELECT DISTINCT tbl FROM sqlite_stat1")
    assert (
        db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
        == 0
    )
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert "comments" in db.session.scalars(statistics).all()


def test_moderation_page_purges_at_most_once_an_hour(
    app, client, make_post, make_comment, author, monkeypatch
):
    monkeypatch.setitem(purge_module._last_run, "at", float("-inf"))
    old_and_new_comments(make_post, make_comment)
    sign_in(client, author)
    assert client.get("/admin/comments", headers=BROWSER).status_code == 200
    assert [c.body_md for c in comments(status=CommentStatus.SPAM)] == ["new spam"]
    make_comment(
        make_post("Another"),
        status=CommentStatus.SPAM,
        created_at=utcnow() - timedelta(days=40),
    )
    client.get("/admin/comments", headers=BROWSER)
    total = db.session.scalar(select(func.count(Comment.id)).where(Comment.status == "spam"))
    assert total == 2


def test_form_data_helper_is_valid(client, make_post):
    post = make_post("Sleep")
    assert spam.form_token_problem(form_data(post)["started"], post.id) is None


@pytest.mark.parametrize("config_overrides", [{"COMMENT_MIN_SECONDS": 3}])
def test_a_reshown_form_keeps_its_start_time(client, make_post):
    post = make_post("Sleep")
    with time_machine.travel(utcnow() - timedelta(seconds=10), tick=False):
        started = spam.form_token(post.id)
    response = post_comment(client, post, started=started, name="")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'value="{started}"' in page
