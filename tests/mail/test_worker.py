"""The worker: each subscriber gets a post exactly once, even when the worker dies
mid-batch; it keeps to its rate; deferrals back off, refusals pause an address; one
publish queues 2,000 subscribers in one statement."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.mail import outbox, sending
from blog.models import MailFailure, MailState, MailStatus, OutboxMail, PostMail
from tests.conftest import ROOT, page_text, sign_in
from tests.mail.helpers import (
    FakeClock,
    add_subscribers,
    config,
    mail_count,
    publish,
)


@pytest.fixture
def config_overrides(smtp_port):
    return config(smtp_port, MAIL_CLAIM_SECONDS=0)


def queue_post(make_post, subscribers: int) -> int:
    """A public post planned for mail, queued for ``subscribers`` readers."""
    add_subscribers(subscribers)
    post = make_post("Sleep")
    db.session.add(PostMail(post_id=post.id, state=MailState.PENDING))
    db.session.commit()
    assert outbox.queue_post(post.id) == subscribers
    db.session.commit()
    return post.id


def recipients(inbox) -> list[str]:
    return sorted(address for envelope in inbox.messages for address in envelope.rcpt_tos)


class Crash(BaseException):
    """The worker dying (killed, out of memory): nothing catches it."""


@pytest.mark.parametrize("where", ["before the server answers", "after it is recorded"])
def test_a_worker_that_dies_mid_batch_then_restarts_sends_each_subscriber_once(
    app, inbox, make_post, monkeypatch, where
):
    queue_post(make_post, 30)
    calls = {"sends": 0}
    send, finish = sending.Connection.send, sending.finish

    def dying_send(self, message, to):
        if where == "before the server answers" and calls["sends"] == 10:
            raise Crash()
        calls["sends"] += 1
        send(self, message, to)

    def dying_finish(mail_id, status, *args, **kwargs):
        finish(mail_id, status, *args, **kwargs)
        if where == "after it is recorded" and calls["sends"] == 10:
            raise Crash()

    monkeypatch.setattr(sending.Connection, "send", dying_send)
    monkeypatch.setattr(sending, "finish", dying_finish)
    with pytest.raises(Crash):
        sending.send_due()
    db.session.rollback()
    assert len(inbox.messages) == 10
    monkeypatch.setattr(sending.Connection, "send", send)
    monkeypatch.setattr(sending, "finish", finish)
    report = sending.send_due()  # the restart (MAIL_CLAIM_SECONDS = 0: the claim is stale)
    assert report.sent == 20
    assert recipients(inbox) == sorted(f"reader{n}@example.org" for n in range(30))
    assert mail_count(status=MailStatus.SENT) == 30


def test_a_claim_held_by_a_live_worker_is_left_alone(app, inbox, make_post):
    app.config["MAIL_CLAIM_SECONDS"] = 120
    queue_post(make_post, 2)
    with app.test_request_context():
        claimed = sending.claim_next()
    db.session.commit()
    assert claimed is not None and claimed.status == MailStatus.SENDING
    assert sending.send_due().sent == 1  # the other one only
    with time_machine.travel(utcnow() + timedelta(minutes=3)):
        assert sending.send_due().sent == 1  # its worker is gone: sent now


def test_the_worker_keeps_to_its_rate(app, inbox, make_post):
    app.config["MAIL_RATE_PER_MINUTE"] = 30
    queue_post(make_post, 10)
    clock = FakeClock()
    assert sending.send_due(clock=clock).sent == 10
    # 10 mails at 30 a minute: one every 2 seconds, so 18 seconds from the first to the last.
    assert clock.time == pytest.approx(18)
    assert all(pause == pytest.approx(2) for pause in clock.sleeps)


def test_a_deferral_backs_off_and_is_retried(app, inbox, make_post):
    inbox.refuse["reader0@example.org"] = "451 Mailbox busy, try later"
    queue_post(make_post, 1)
    report = sending.send_due()
    assert (report.sent, report.deferred) == (0, 1)
    mail = db.session.scalar(select(OutboxMail))
    assert (mail.status, mail.attempts, mail.error) == ("queued", 1, "451 Mailbox busy, try later")
    first_delay = mail.due_at - utcnow()
    assert timedelta(seconds=50) < first_delay <= timedelta(seconds=60)
    assert sending.send_due().sent == 0  # not due yet
    with time_machine.travel(utcnow() + timedelta(seconds=61)):
        sending.send_due()
    db.session.expire_all()
    assert mail.attempts == 2 and mail.due_at - utcnow() > timedelta(seconds=100)  # doubled
    del inbox.refuse["reader0@example.org"]
    with time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert sending.send_due().sent == 1


def test_a_deferral_gives_up_after_the_last_attempt(app, inbox, make_post):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    inbox.refuse["reader0@example.org"] = "451 Try later"
    queue_post(make_post, 1)
    sending.send_due()
    with time_machine.travel(utcnow() + timedelta(hours=1)):
        sending.send_due()
    mail = db.session.scalar(select(OutboxMail))
    assert mail.status == MailStatus.FAILED and mail.error.startswith("Gave up after 2 attempts")


def test_refusals_pause_the_address_and_the_author_sees_why(app, inbox, make_post, author):
    inbox.refuse["reader0@example.org"] = "550 No such user here"
    add_subscribers(2)
    for number in range(4):
        post = make_post(f"Post {number}")
        db.session.add(PostMail(post_id=post.id, state=MailState.PENDING))
        db.session.commit()
        sending.send_due()
    failure = db.session.get(MailFailure, "reader0@example.org")
    assert (failure.count, failure.paused) == (3, True)
    statuses = db.session.scalars(
        select(OutboxMail.status)
        .where(OutboxMail.address == "reader0@example.org")
        .order_by(OutboxMail.id)
    ).all()
    assert statuses == ["failed", "failed", "failed"]  # paused: the fourth post isn't queued
    assert len([e for e in inbox.messages if "reader1@example.org" in e.rcpt_tos]) == 4
    client = app.test_client()
    sign_in(client, author)
    page = page_text(client.get("/admin/mail"))
    assert 'reader0@example.org <span class="status status--draft">Paused</span>' in page
    assert "550 No such user here" in page
    client.post("/admin/mail/resume", data={"address": "reader0@example.org"})
    assert db.session.get(MailFailure, "reader0@example.org") is None


def test_a_mail_that_cannot_be_made_fails_alone(app, inbox, make_post, monkeypatch):
    queue_post(make_post, 3)
    build = sending.build

    def broken_for_reader1(mail):
        if mail.address == "reader1@example.org":
            raise ValueError("Header values may not contain linefeed or carriage return")
        return build(mail)

    monkeypatch.setattr(sending, "build", broken_for_reader1)
    report = sending.send_due()
    assert (report.sent, report.failed) == (2, 1)
    assert sorted(m["To"] for m in inbox.parsed()) == ["reader0@example.org", "reader2@example.org"]
    [failed] = db.session.scalars(select(OutboxMail).where(OutboxMail.status == "failed")).all()
    assert failed.address == "reader1@example.org" and "could not be made" in failed.error


def test_a_server_that_is_down_ends_the_run_without_using_every_attempt(app, make_post):
    queue_post(make_post, 5)  # no inbox: nothing listens on the port
    report = sending.send_due()
    assert report.deferred == 1 and "Could not connect" in report.problem
    assert mail_count(status=MailStatus.QUEUED) == 5
    assert sorted(db.session.scalars(select(OutboxMail.attempts))) == [0, 0, 0, 0, 1]


def test_one_publish_queues_two_thousand_subscribers(app, author):
    add_subscribers(2000)
    client = app.test_client()
    sign_in(client, author)
    response = publish(client)
    assert response.status_code == 303
    assert mail_count(status=MailStatus.QUEUED) == 2000
    assert "Its mail is queued for 2,000 subscribers." in page_text(
        client.get(response.headers["Location"])
    )
    plan = db.session.scalar(select(PostMail))
    assert (plan.state, plan.recipients) == (MailState.QUEUED, 2000)


@pytest.mark.slow
def test_two_thousand_are_sent_within_the_rate(app, inbox, make_post):
    app.config["MAIL_RATE_PER_MINUTE"] = 600
    queue_post(make_post, 2000)
    clock = FakeClock()
    assert sending.send_due(clock=clock).sent == 2000
    assert clock.time == pytest.approx(1999 * 0.1)  # 600 a minute: 3 min 20 s of pacing
    assert len(set(recipients(inbox))) == 2000


@pytest.mark.slow
def test_a_worker_process_killed_mid_send_and_restarted_sends_each_once(
    app, inbox, make_post, smtp_port
):
    queue_post(make_post, 12)
    inbox.hold_at = 5  # the sixth mail hangs in DATA: the worker is killed waiting for "250"
    env = {
        **os.environ,
        "BLOG_SECRET_KEY": app.config["SECRET_KEY"],
        "BLOG_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "BLOG_MAIL_SERVER": "127.0.0.1",
        "BLOG_MAIL_PORT": str(smtp_port),
        "BLOG_MAIL_USE_TLS": "false",
        "BLOG_MAIL_FROM": "blog@example.org",
        "BLOG_MAIL_RATE_PER_MINUTE": "0",
        "BLOG_MAIL_CLAIM_SECONDS": "0",
        "BLOG_SITE_URL": "https://blog.example.org",
    }
    flask = [sys.executable, "-m", "flask", "--app", "blog", "mail", "send"]
    worker = subprocess.Popen(
        flask, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        assert inbox.holding.wait(60), worker.communicate(timeout=5)[0]
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        inbox.release.set()
        if worker.poll() is None:
            worker.kill()
    assert len(inbox.messages) == 5
    restarted = subprocess.run(
        flask, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "7 sent" in restarted.stdout
    assert recipients(inbox) == sorted(f"reader{n}@example.org" for n in range(12))


def test_worker_commands(app, inbox, make_post, runner):
    queue_post(make_post, 2)
    result = runner.invoke(args=["mail", "send", "--limit", "1"])
    assert result.exit_code == 0 and "1 sent" in result.output
    result = runner.invoke(args=["mail", "send"])
    assert "1 sent" in result.output
    app.config["MAIL_SERVER"] = ""
    assert runner.invoke(args=["mail", "work", "--if-configured"]).exit_code == 0
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 1 and "MAIL_SERVER is not set" in result.output


def test_the_work_loop_runs_and_stops(app, inbox, make_post):
    queue_post(make_post, 3)
    clock = FakeClock()
    sending.work(poll=5, runs=2, clock=clock)
    assert len(inbox.messages) == 3
    assert sum(clock.sleeps) == pytest.approx(5)  # one wait between the two runs
