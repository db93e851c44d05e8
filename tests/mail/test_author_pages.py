"""The author's side: the count on the dashboard, the subscribers page (search, remove,
export, import with or without consent), the mail log, the mail settings."""

import csv
import io

import pytest
from sqlalchemy import delete, select

from blog.extensions import db
from blog.mail import sending, subscriptions
from blog.models import MailKind, Settings, Subscriber
from tests.author.test_settings import settings_form
from tests.conftest import page_text
from tests.mail.helpers import add_subscribers, mail_count, subscribe


def addresses() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Subscriber.email)))


def test_the_dashboard_counts_subscribers(author_client):
    add_subscribers(3)
    page = page_text(author_client.get("/admin/"))
    assert '<span class="stat-card__number">3</span>' in page and "email subscribers" in page


def test_search_and_remove(author_client):
    add_subscribers(3)
    page = page_text(author_client.get("/admin/subscribers?q=READER1"))
    assert "reader1@example.org" in page and "reader2@example.org" not in page
    assert "3 confirmed subscribers" in page
    [subscriber] = db.session.scalars(
        select(Subscriber).where(Subscriber.email == "reader1@example.org")
    ).all()
    response = author_client.post(f"/admin/subscribers/{subscriber.id}/remove")
    assert response.status_code == 303
    assert "Removed reader1@example.org" in page_text(author_client.get("/admin/subscribers"))
    assert addresses() == ["reader0@example.org", "reader2@example.org"]
    assert "No subscriber's address contains" in page_text(
        author_client.get("/admin/subscribers?q=%25")
    )


def test_export_is_a_csv_of_every_subscriber(author_client):
    add_subscribers(1203)
    response = author_client.get("/admin/subscribers.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["email", "confirmed_at", "source"]
    assert len(rows) == 1204 and rows[1][0] == "reader0@example.org" and rows[1][2] == "home"


def upload(client, text: str, consented: bool):
    data = {"file": (io.BytesIO(text.encode()), "list.csv")}
    if consented:
        data["consented"] = "y"
    return client.post("/admin/subscribers/import", data=data)


def test_import_with_consent_subscribes_at_once(author_client):
    add_subscribers(1)
    text = "Name,Email\nAnn,ANN@example.org\nBo,reader0@example.org\nCy,not-an-address\n"
    response = upload(author_client, text, consented=True)
    assert response.status_code == 303
    page = page_text(author_client.get("/admin/subscribers"))
    assert "Subscribed 1 address; 1 address already subscribed; skipped 1 entry" in page
    assert addresses() == ["ann@example.org", "reader0@example.org"]
    assert mail_count() == 0


def test_import_without_consent_asks_each_new_address_to_confirm(author_client, inbox):
    response = upload(author_client, "a@example.org\nb@example.org\na@example.org\n", False)
    assert response.status_code == 303
    assert addresses() == []
    assert mail_count(kind=MailKind.CONFIRM) == 2
    sending.send_due()
    assert sorted(m["To"] for m in inbox.parsed()) == ["a@example.org", "b@example.org"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe\x00binary", "isn't text"),
        (b"no addresses here\n", "No email addresses were found"),
    ],
)
def test_a_file_that_is_not_a_list_is_refused(author_client, content, message):
    data = {"file": (io.BytesIO(content), "list.csv")}
    response = author_client.post("/admin/subscribers/import", data=data)
    assert response.status_code == 400 and message in page_text(response)


def test_the_mail_page_shows_the_queue(author_client, make_post):
    add_subscribers(2)
    page = page_text(author_client.get("/admin/mail"))
    assert "Nothing is waiting." in page and "waiting to be sent" in page


def test_mail_settings_are_saved(author_client, author):
    form = settings_form(mail_sender_name="Dr. Ada", mail_sender_address="News@Example.org")
    form["mail_full_text"] = ""
    assert author_client.post("/admin/settings", data=form).status_code == 303
    settings = Settings.current()
    assert (settings.mail_sender_name, settings.mail_sender_address) == (
        "Dr. Ada",
        "news@example.org",
    )
    assert settings.mail_full_text is False
    page = author_client.get("/admin/settings").text
    assert 'id="mail_full_text-1" name="mail_full_text" type="radio" value=""' in page


def test_export_neutralises_addresses_a_spreadsheet_would_run(author_client):
    hostile = ["=cmd|calc!a0@example.org", "+1@example.org", "-2@example.org"]
    for address in hostile:
        db.session.add(Subscriber(email=address, source="home"))
    db.session.commit()
    text = author_client.get("/admin/subscribers.csv").get_data(as_text=True)
    cells = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert cells == ["'" + address for address in hostile]
    db.session.execute(delete(Subscriber))
    db.session.commit()
    assert upload(author_client, text, consented=True).status_code == 303
    assert addresses() == sorted(hostile)


def test_an_import_over_the_row_limit_says_what_was_left_out(author_client, monkeypatch):
    monkeypatch.setattr(subscriptions, "MAX_IMPORT_ROWS", 2)
    upload(author_client, "a@example.org\nb@example.org\nc@example.org\n", consented=True)
    page = page_text(author_client.get("/admin/subscribers"))
    assert "stopped after the first 2 rows: import the rest as another file" in page
    assert addresses() == ["a@example.org", "b@example.org"]


def test_a_sender_name_cannot_add_a_header(author_client, inbox):
    name = "Dr. Ada\r\nBcc: someone@example.net"
    form = settings_form(mail_sender_name=name, mail_sender_address="news@example.org")
    assert author_client.post("/admin/settings", data=form).status_code == 303
    assert Settings.current().mail_sender_name == "Dr. Ada Bcc: someone@example.net"
    Settings.current().mail_sender_name = name  # stored before the form cleaned names
    db.session.commit()
    subscribe(author_client, "reader@example.org")
    sending.send_due()
    [message] = inbox.parsed()
    assert message["Bcc"] is None and "\n" not in message["From"]
    assert message["From"].startswith('"Dr. Ada Bcc: someone@example.net"')


def test_a_list_saved_in_windows_western_encoding_is_read(author_client):
    text = "Name,Email\nJosé Núñez,jose@example.org\n".encode("cp1252")
    data = {"file": (io.BytesIO(text), "list.csv"), "consented": "y"}
    assert author_client.post("/admin/subscribers/import", data=data).status_code == 303
    assert addresses() == ["jose@example.org"]


def test_importing_a_list_twice_asks_each_address_once(author_client, inbox):
    upload(author_client, "a@example.org\nb@example.org\n", False)
    upload(author_client, "a@example.org\nb@example.org\nc@example.org\n", False)
    page = page_text(author_client.get("/admin/subscribers"))
    assert "Sent a confirmation mail to 1 address; 2 addresses not asked again" in page
    sending.send_due()
    assert sorted(m["To"] for m in inbox.parsed()) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
