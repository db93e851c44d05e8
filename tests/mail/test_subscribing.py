"""The subscribe form and its links: the same answer for every address, the comment
form's defences, rate limits, and confirmation and unsubscribe links that can't be forged."""

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.mail import sending, subscriptions
from blog.models import MailKind, OutboxMail, Subscriber
from tests.comment_helpers import BROWSER
from tests.conftest import page_text, sign_in
from tests.mail.helpers import link, mail_count, path_of, subscribe


def confirm_link(inbox, address: str) -> str:
    sending.send_due()
    return path_of(link(inbox.to(address)[-1].get_content(), "/subscribe/confirm/"))


def subscribed() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Subscriber.email).order_by(Subscriber.email)))


def test_the_form_is_on_every_post_and_the_home_page_and_the_same_for_everyone(
    app, client, make_post
):
    post = make_post("Sleep")
    home = client.get("/").text
    page = client.get("/post/sleep").text
    assert 'action="/subscribe"' in home and 'action="/subscribe"' in page
    assert f'name="subscribe-post_id" type="hidden" value="{post.id}"' in page
    assert 'name="subscribe-website"' in page and "csrf_token" not in home
    assert client.get("/post/sleep").headers["Cache-Control"].startswith("public")
    assert app.test_client().get("/post/sleep").text == page  # another reader, same page


def test_without_a_mail_server_there_is_no_form(app, client, make_post):
    app.config["MAIL_SERVER"] = ""
    make_post("Sleep")
    assert 'action="/subscribe"' not in client.get("/post/sleep").text
    assert client.get("/subscribe").status_code == 404


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(app, inbox):
    db.session.add(Subscriber(email="known@example.org"))
    db.session.commit()
    answers = []
    for address in ("known@example.org", "new@example.org"):
        response = subscribe(app.test_client(), address)
        follow = app.test_client().get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], follow.text))
    assert answers[0] == answers[1]
    sending.send_due()
    assert [m["To"] for m in inbox.parsed()] == ["new@example.org"]  # only the new one


def test_one_confirmation_a_day_to_an_address_however_often_the_form_is_sent(app, inbox):
    for _ in range(3):
        assert subscribe(app.test_client(), "new@example.org").status_code == 303
    assert mail_count(kind=MailKind.CONFIRM) == 1
    with time_machine.travel(utcnow() + timedelta(days=1, minutes=1)):
        subscribe(app.test_client(), "new@example.org")
    assert mail_count(kind=MailKind.CONFIRM) == 2


def test_subscribing_from_a_post_records_it(app, inbox, make_post):
    post = make_post("Sleep")
    subscribe(app.test_client(), "reader@example.org", post_id=post.id)
    app.test_client().post(confirm_link(inbox, "reader@example.org"))
    subscriber = db.session.scalar(select(Subscriber))
    assert (subscriber.source, subscriber.source_post_id) == ("post", post.id)


def test_confirming_twice_subscribes_once(app, inbox):
    subscribe(app.test_client(), "reader@example.org")
    url = confirm_link(inbox, "reader@example.org")
    for _ in range(2):
        assert app.test_client().post(url).status_code == 200
    assert subscribed() == ["reader@example.org"]


def test_a_bad_address_is_refused_and_kept(app, client):
    response = subscribe(client, "not an address")
    assert response.status_code == 400
    page = page_text(response)
    assert "That doesn't look like an email address." in page
    assert 'value="not an address"' in page
    assert mail_count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subscribe-started": "forged"}, "This form has expired"),
        ({"subscribe-started": ""}, "This form has expired"),
    ],
)
def test_a_forged_start_is_refused(app, client, fields, message):
    response = subscribe(client, "reader@example.org", **fields)
    assert response.status_code == 400 and message in page_text(response)
    assert mail_count() == 0


def test_a_form_sent_too_fast_is_refused(app, client):
    app.config["COMMENT_MIN_SECONDS"] = 3600
    response = subscribe(client, "reader@example.org")
    assert response.status_code == 400 and "faster than a person" in page_text(response)


def test_the_start_is_signed_for_the_post_it_was_made_for(app, client, make_post):
    post = make_post("Sleep")
    data_for_home = subscribe(
        client, "reader@example.org", post_id=0, **{"subscribe-post_id": str(post.id)}
    )
    assert data_for_home.status_code == 400


def test_a_filled_honeypot_sends_nothing_and_says_the_same(app, client):
    response = subscribe(client, "victim@example.org", **{"subscribe-website": "spam"})
    assert response.status_code == 303 and response.headers["Location"] == "/subscribe/sent"
    assert mail_count() == 0


def test_another_sites_page_cannot_subscribe_anyone(app, client):
    headers = {**BROWSER, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert subscribe(client, "victim@example.org", headers=headers).status_code == 403
    assert mail_count() == 0


def test_the_signed_in_author_can_subscribe_too(app, client, author):
    sign_in(client, author)
    assert subscribe(client, "ada@example.org").status_code == 303
    assert mail_count() == 1


@pytest.mark.parametrize(
    "config_overrides",
    [{"RATELIMIT_ENABLED": True, "SUBSCRIBE_RATE_LIMIT": "2 per minute"}],
    indirect=True,
)
def test_rate_limited_per_network(app, client):
    statuses = [subscribe(client, f"r{n}@example.org").status_code for n in range(3)]
    assert statuses == [303, 303, 429]
    refused = subscribe(client, "r9@example.org")
    assert "several times in a short time" in page_text(refused)
    assert refused.headers["Retry-After"] == "60"
    assert mail_count() == 2


def test_an_expired_or_cut_short_confirmation_link_says_what_to_do(app, inbox):
    subscribe(app.test_client(), "reader@example.org")
    url = confirm_link(inbox, "reader@example.org")
    assert "isn't complete" not in page_text(app.test_client().get(url))
    cut = app.test_client().post(url[:-5])
    assert cut.status_code == 400 and "This link is not complete" in page_text(cut)
    with time_machine.travel(utcnow() + timedelta(days=8)):
        late = app.test_client().post(url)
    assert late.status_code == 400 and "has expired" in page_text(late)
    assert subscribed() == []


def test_unsubscribe_page_has_a_button_and_a_post_needs_no_cookie(app, inbox):
    db.session.add(Subscriber(email="reader@example.org"))
    db.session.commit()
    with app.test_request_context():
        token = subscriptions.unsubscribe_token("reader@example.org")
    page = app.test_client().get(f"/unsubscribe/{token}")
    assert page.status_code == 200
    assert f'<form method="post" action="/unsubscribe/{token}">' in page.text
    assert subscribed() == ["reader@example.org"]  # opening the page changes nothing
    for _ in range(2):  # twice is the same as once
        response = app.test_client().post(f"/unsubscribe/{token}")
        assert response.status_code == 200 and "You're unsubscribed" in page_text(response)
    assert subscribed() == []
    forged = app.test_client().post(f"/unsubscribe/{token[:-3]}xyz")
    assert forged.status_code == 400 and "not complete" in page_text(forged)


def test_unsubscribing_cancels_what_is_still_queued(app, inbox):
    db.session.add(Subscriber(email="reader@example.org"))
    db.session.add(OutboxMail(kind=MailKind.CONFIRM, address="reader@example.org"))
    db.session.commit()
    with app.test_request_context():
        token = subscriptions.unsubscribe_token("reader@example.org")
    app.test_client().post(f"/unsubscribe/{token}")
    assert sending.send_due().sent == 0 and inbox.messages == []
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 1
