"""Notifications: a real SMTP server on 127.0.0.1 receives the author's email."""

import socket

import pytest
from aiosmtpd.controller import Controller

from blog.comments import notify
from blog.models import CommentStatus
from tests.comment_helpers import BROWSER, FAST_FORMS, comments, form_data, post_comment
from tests.conftest import sign_in


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def smtp_port():
    return free_port()


@pytest.fixture
def inbox(smtp_port):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def site_url():
    return ""


@pytest.fixture
def config_overrides(smtp_port, site_url):
    return {
        **FAST_FORMS,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_USE_TLS": False,
        "MAIL_FROM": "blog@example.org",
        "MAIL_TIMEOUT": 5,
        "SITE_URL": site_url,
    }


def test_new_comment_emails_the_author_with_a_queue_link(inbox, client, make_post, author):
    post = make_post("Sleep well", author=author)
    response = post_comment(client, post, name="Linda", body="Is melatonin safe?")
    assert response.status_code == 303
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["ada@example.org"]
    assert envelope.mail_from == "blog@example.org"
    text = envelope.content.decode()
    assert "Subject: Comment awaiting approval on" in text
    assert "Linda commented on" in text and "Is melatonin safe?" in text
    assert "http://localhost/admin/comments" in text


def test_spam_sends_nothing(inbox, client, make_post, author):
    post = make_post("Sleep", author=author)
    post_comment(client, post, website="filled by a bot")
    assert [c.status for c in comments()] == [CommentStatus.SPAM]
    assert inbox.messages == []


def test_the_authors_own_comment_sends_nothing(inbox, client, make_post, author):
    post = make_post("Sleep", author=author)
    sign_in(client, author)
    post_comment(client, post, name=author.name, body="My own answer")
    assert [c.status for c in comments()] == [CommentStatus.APPROVED]
    assert inbox.messages == []


def test_no_author_with_an_email_means_no_mail(inbox, client, make_post, caplog):
    post = make_post("Sleep")
    with caplog.at_level("INFO", logger="blog"):
        post_comment(client, post)
    assert inbox.messages == []
    assert "not emailed" in caplog.text


@pytest.mark.parametrize("config_overrides", [{**FAST_FORMS, "MAIL_SERVER": ""}])
def test_without_mail_server_the_comment_is_logged(client, make_post, author, caplog):
    post = make_post("Sleep", author=author)
    with caplog.at_level("INFO", logger="blog"):
        assert post_comment(client, post, name="Linda").status_code == 303
    assert "New pending comment" in caplog.text and "'Linda'" in caplog.text


def test_mail_failure_keeps_the_comment_and_logs(client, make_post, author, caplog):
    # No server listens on the configured port: the connection is refused.
    post = make_post("Sleep", author=author)
    with caplog.at_level("ERROR", logger="blog"):
        response = post_comment(client, post, body="Still saved")
    assert response.status_code == 303
    assert [c.body_md for c in comments()] == ["Still saved"]
    assert "Could not email the author" in caplog.text


def test_build_message_for_a_published_comment(app, make_post, make_comment, author):
    post = make_post("Sleep", author=author)
    comment = make_comment(post, name="Ann", body="x" * 1000)
    with app.test_request_context():
        message = notify.build_message(comment, post, "ada@example.org")
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
    text = inbox.messages[0].content.decode()
    assert "https://blog.example.org/admin/comments" in text
    assert "localhost" not in text and "evil" not in text
