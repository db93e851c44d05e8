"""Notifications: queued by the request, sent by the worker to a real SMTP server on
127.0.0.1, which receives the author's email."""

import pytest
from sqlalchemy import select

from blog.comments import notify
from blog.extensions import db
from blog.mail import sending
from blog.models import CommentStatus, MailKind, OutboxMail
from tests.comment_helpers import BROWSER, FAST_FORMS, comments, form_data, post_comment
from tests.conftest import sign_in
from tests.smtp import mail_config


@pytest.fixture
def site_url():
    return ""


@pytest.fixture
def config_overrides(smtp_port, site_url):
    return {**FAST_FORMS, **mail_config(smtp_port), "SITE_URL": site_url}


def test_new_comment_emails_the_author_with_a_queue_link(inbox, client, make_post, author):
    post = make_post("Sleep well", author=author)
    response = post_comment(client, post, name="Linda", body="Is melatonin safe?")
    assert response.status_code == 303
    assert inbox.messages == []  # queued by the request, sent by the worker
    assert sending.send_due().sent == 1
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert envelope.mail_from == "blog@example.org"
    text = envelope.content.decode()
    assert "Subject: Comment awaiting approval on" in text
    assert "Linda commented on" in text and "Is melatonin safe?" in text
    assert f"{sending.DEV_SITE_URL}/admin/comments" in text  # no SITE_URL: where `make run` serves


def test_spam_sends_nothing(inbox, client, make_post, author):
    post = make_post("Sleep", author=author)
    post_comment(client, post, website="filled by a bot")
    assert [c.status for c in comments()] == [CommentStatus.SPAM]
    assert sending.send_due().sent == 0 and inbox.messages == []


def test_the_authors_own_comment_sends_nothing(inbox, client, make_post, author):
    post = make_post("Sleep", author=author)
    sign_in(client, author)
    post_comment(client, post, name=author.name, body="My own answer")
    assert [c.status for c in comments()] == [CommentStatus.APPROVED]
    assert sending.send_due().sent == 0 and inbox.messages == []


def test_no_author_with_an_email_means_no_mail(inbox, client, make_post, caplog):
    post = make_post("Sleep")
    with caplog.at_level("INFO", logger="blog"):
        post_comment(client, post)
    assert sending.send_due().sent == 0 and inbox.messages == []
    assert "not emailed" in caplog.text


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "MAIL_SERVER": ""}])
def test_without_mail_server_the_comment_is_logged(client, make_post, author, caplog):
    post = make_post("Sleep", author=author)
    with caplog.at_level("INFO", logger="blog"):
        assert post_comment(client, post, name="Linda").status_code == 303
    assert "New pending comment" in caplog.text and "'Linda'" in caplog.text


def test_mail_failure_keeps_the_comment_and_the_mail_for_later(client, make_post, author):
    # No server listens on the configured port: the connection is refused.
    post = make_post("Sleep", author=author)
    response = post_comment(client, post, body="Still saved")
    assert response.status_code == 303
    assert [c.body_md for c in comments()] == ["Still saved"]
    report = sending.send_due()
    assert report.deferred == 1 and "Could not connect to the mail server" in report.problem
    [mail] = db.session.scalars(select(OutboxMail)).all()
    assert (mail.kind, mail.status, mail.attempts) == (MailKind.COMMENT, "queued", 1)


def test_the_notice_for_a_published_comment(inbox, client, make_post, make_comment, author):
    post = make_post("Sleep", author=author)
    comment = make_comment(post, name="Ann", body="x" * 1000)
    notify.notify_new_comment(comment, post)
    db.session.commit()
    sending.send_due()
    [message] = inbox.parsed()
    body = message.get_content()
    assert message["Subject"] == "New comment on “Sleep”"
    assert f"/post/sleep#comment-{comment.id}" in body
    assert body.count("x") < 700


@pytest.mark.parametrize("site_url", ["https://blog.example.org"])
def test_mail_links_come_from_site_url_and_other_hosts_are_refused(
    inbox, smtp_port, site_url, config_overrides, client, make_post, author
):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    post = make_post("Sleep well", author=author)
    data = form_data(post, body="Is melatonin safe?")
    headers = {**BROWSER, "Host": "blog.example.org"}
    assert client.post(f"/post/{post.slug}/comments", data=data, headers=headers).status_code == 303
    sending.send_due()
    text = inbox.messages[0].content.decode()
    assert "https://blog.example.org/admin/comments" in text
    assert "localhost" not in text and "evil" not in text
