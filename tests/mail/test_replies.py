"""Reply notices: a commenter who left an email and ticked the box gets one mail when the
author replies, with the same one-click unsubscribe; nothing else is sent to commenters."""

import pytest
from sqlalchemy import select

from blog.extensions import db
from blog.mail import sending
from blog.models import Comment, Moderation
from tests.comment_helpers import change_settings, comments, post_comment
from tests.conftest import page_text, sign_in
from tests.mail.helpers import SITE, path_of


def reader_comment(app, post, **fields) -> Comment:
    change_settings(moderation=Moderation.OPEN)
    fields = {"name": "Linda", "email": "linda@example.org", "notify_replies": "y", **fields}
    assert post_comment(app.test_client(), post, **fields).status_code == 303
    return comments()[-1]


def mails_to(inbox, address):
    sending.send_due()
    return inbox.to(address)


def test_the_box_is_on_the_form_when_mail_can_be_sent(client, make_post):
    make_post("Sleep")
    page = client.get("/post/sleep").text
    assert 'name="notify_replies"' in page and "Email me when the author replies" in page


@pytest.mark.parametrize("config_overrides", [{"MAIL_SERVER": ""}])
def test_no_box_on_the_form_when_mail_cannot_be_sent(client, make_post):
    make_post("Sleep")
    assert 'name="notify_replies"' not in client.get("/post/sleep").text


def test_one_mail_when_the_author_replies_from_the_queue(app, inbox, writer, make_post, author):
    post = make_post("Sleep", author=author)
    comment = reader_comment(app, post)
    assert comment.notify_replies
    inbox.messages.clear()
    writer.post(f"/admin/comments/{comment.id}/reply", data={"body": "Yes, at night."})
    [notice] = mails_to(inbox, "linda@example.org")
    assert notice["Subject"] == "Dr. Ada Lovelace replied to your comment on “Sleep”"
    text = notice.get_content()
    assert "Yes, at night." in text
    assert f"{SITE}/post/sleep#comment-" in text
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sending.send_due().sent == 0  # once

    # The same one-click unsubscribe: no more reply notices.
    unsubscribe = notice["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(path_of(unsubscribe)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).notify_replies is False
    writer.post(f"/admin/comments/{comment.id}/reply", data={"body": "And another."})
    assert len(mails_to(inbox, "linda@example.org")) == 1


def test_the_author_replying_on_the_post_page_sends_the_notice(app, inbox, make_post, author):
    post = make_post("Sleep", author=author)
    comment = reader_comment(app, post)
    inbox.messages.clear()
    client = app.test_client()
    sign_in(client, author)
    post_comment(client, post, name=author.name, body="Thanks!", parent_id=str(comment.id))
    assert len(mails_to(inbox, "linda@example.org")) == 1


@pytest.mark.parametrize(
    "fields",
    [{"notify_replies": ""}, {"email": "", "notify_replies": "y"}],
    ids=["unticked", "no email"],
)
def test_nothing_without_the_box_or_an_email(app, inbox, writer, make_post, author, fields):
    post = make_post("Sleep", author=author)
    comment = reader_comment(app, post, **fields)
    assert comment.notify_replies is False
    inbox.messages.clear()
    writer.post(f"/admin/comments/{comment.id}/reply", data={"body": "Yes."})
    assert mails_to(inbox, "linda@example.org") == []


def test_another_readers_reply_sends_nothing(app, inbox, make_post, author):
    post = make_post("Sleep", author=author)
    comment = reader_comment(app, post)
    inbox.messages.clear()
    post_comment(app.test_client(), post, name="Sam", body="Me too", parent_id=str(comment.id))
    assert mails_to(inbox, "linda@example.org") == []


def test_erasing_an_address_removes_its_subscription_and_mail(app, inbox, writer, make_post):
    from blog.models import OutboxMail, Subscriber

    db.session.add(Subscriber(email="linda@example.org"))
    db.session.commit()
    reader_comment(app, make_post("Sleep"))
    response = writer.post("/admin/comments/erase", data={"email": "linda@example.org"})
    page = page_text(writer.get(response.headers["Location"]))
    assert "Deleted 1 comment made with linda@example.org and removed the subscription" in page
    assert db.session.scalars(select(Subscriber)).all() == []
    addresses = db.session.scalars(select(OutboxMail.address)).all()
    assert "linda@example.org" not in addresses  # the author's own notices stay
