"""The whole flow against a real SMTP server: subscribe, confirm, publish, receive once,
unsubscribe with one click (a POST with no cookie), and receive nothing after."""

from sqlalchemy import func, select

from blog.extensions import db
from blog.mail import sending
from blog.models import MailState, OutboxMail, Post, PostMail, Subscriber
from tests.conftest import page_text
from tests.mail.helpers import SITE, link, path_of, publish, subscribe


def test_subscribe_confirm_publish_receive_once_unsubscribe_nothing_after(app, inbox, writer):
    reader = app.test_client()
    response = subscribe(reader, "Reader@Example.org")
    assert response.status_code == 303 and response.headers["Location"] == "/subscribe/sent"
    assert "Check your inbox" in page_text(reader.get("/subscribe/sent"))
    assert db.session.scalar(select(func.count(Subscriber.id))) == 0  # nothing kept yet

    assert sending.send_due().sent == 1
    [confirmation] = inbox.to("reader@example.org")
    assert confirmation["Subject"] == "Confirm your subscription to Rounds"
    confirm_url = link(confirmation.get_content(), "/subscribe/confirm/")
    assert confirm_url.startswith(SITE)
    page = reader.get(path_of(confirm_url))
    assert page.status_code == 200 and "One email each time a post is published" in page_text(page)
    assert db.session.scalar(select(func.count(Subscriber.id))) == 0  # opening it isn't consent
    page = reader.post(path_of(confirm_url))
    assert "You're subscribed" in page_text(page)
    [subscriber] = db.session.scalars(select(Subscriber)).all()
    assert (subscriber.email, subscriber.source) == ("reader@example.org", "home")

    response = publish(writer)
    assert response.status_code == 303
    assert "Its mail is queued for 1 subscriber." in page_text(
        writer.get(response.headers["Location"])
    )
    assert sending.send_due().sent == 1
    assert sending.send_due().sent == 0  # sent once
    [_, new_post] = inbox.to("reader@example.org")
    assert new_post["Subject"] == "Salt and blood pressure"
    assert new_post["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = new_post["List-Unsubscribe"].strip("<>")
    assert unsubscribe_url.startswith(f"{SITE}/unsubscribe/")
    assert unsubscribe_url in new_post.get_body(("plain",)).get_content()

    # What a mail provider sends for its Unsubscribe button: a bare POST, no cookie, no token.
    mail_client = app.test_client()
    response = mail_client.post(
        path_of(unsubscribe_url),
        data={"List-Unsubscribe": "One-Click"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    assert "You're unsubscribed" in page_text(response)
    assert db.session.scalar(select(func.count(Subscriber.id))) == 0

    publish(writer, title="Potassium")
    assert sending.send_due().sent == 0
    assert len(inbox.to("reader@example.org")) == 2


def test_editing_a_published_post_never_mails_it_again(app, inbox, writer, author):
    subscribe(app.test_client(), "reader@example.org")
    sending.send_due()
    confirm = link(inbox.parsed()[0].get_content(), "/subscribe/confirm/")
    app.test_client().post(path_of(confirm))
    location = publish(writer).headers["Location"]
    sending.send_due()
    for title in ("Salt, again", "Salt, third"):
        writer.post(location, data={**publish_fields(title), "intent": "publish"})
    writer.post(location, data={**publish_fields("Unpublished"), "intent": "unpublish"})
    writer.post(location, data={**publish_fields("Back"), "intent": "publish"})
    assert sending.send_due().sent == 0
    assert len(inbox.to("reader@example.org")) == 2  # the confirmation and the post, once


def publish_fields(title: str) -> dict:
    from tests.mail.helpers import editor_form

    return editor_form(title=title, status="published", intent=None)


def test_publish_without_emailing(app, inbox, writer):
    from tests.mail.helpers import add_subscribers

    add_subscribers(3)
    location = publish(writer, email_subscribers=None).headers["Location"]
    post = db.session.scalar(select(Post))
    assert db.session.get(PostMail, post.id).state == MailState.NONE
    assert "Published without emailing" in page_text(writer.get(location))
    assert sending.send_due().sent == 0 and inbox.messages == []


def test_posts_from_before_or_imported_are_never_mailed(app, inbox, make_post):
    from tests.mail.helpers import add_subscribers

    add_subscribers(2)
    make_post("Imported long ago")  # published, with no mail plan: as imports and old posts
    assert sending.send_due().sent == 0 and inbox.messages == []


def test_a_scheduled_post_is_mailed_by_the_worker_when_it_goes_out(app, inbox, writer):
    import time_machine

    from blog.core.clock import utcnow
    from tests.mail.helpers import add_subscribers

    add_subscribers(2)
    later = utcnow().replace(microsecond=0, second=0)
    when = later.replace(year=later.year + 1)
    response = publish(writer, intent="schedule", published_at=when.strftime("%Y-%m-%dT%H:%M"))
    assert response.status_code == 303
    assert sending.send_due().sent == 0  # not out yet
    with time_machine.travel(when.replace(tzinfo=None).isoformat() + "Z", tick=False):
        report = sending.send_due()
    assert (report.queued, report.sent) == (2, 2)
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 2
    assert sending.send_due().sent == 0
