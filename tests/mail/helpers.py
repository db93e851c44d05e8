"""Helpers for the mail tests: the subscribe form as a browser sends it, the editor's
publish button, the links in a mail, and a clock for the worker's pace."""

import re
from urllib.parse import urlsplit

from sqlalchemy import func, insert, select

from blog.comments import spam
from blog.core import keys
from blog.extensions import db
from blog.models import OutboxMail, Subscriber
from tests.comment_helpers import BROWSER, FAST_FORMS
from tests.smtp import mail_config

SITE = "https://blog.example.org"


def config(port: int, **more) -> dict:
    return {**FAST_FORMS, **mail_config(port), "SITE_URL": SITE, **more}


def subscribe_data(address: str, post_id: int = 0, **fields) -> dict:
    data = {
        "subscribe-email": address,
        "subscribe-post_id": str(post_id) if post_id else "",
        "subscribe-website": "",
        "subscribe-started": spam.form_token(post_id, keys.SUBSCRIBE_FORM),
    }
    data.update(fields)
    return data


def subscribe(client, address: str, post_id: int = 0, headers=BROWSER, **fields):
    return client.post(
        "/subscribe", data=subscribe_data(address, post_id, **fields), headers=headers
    )


def editor_form(**fields) -> dict:
    data = {
        "title": "Salt and blood pressure",
        "body": "Most of the salt we eat is already in the food.",
        "status": "draft",
        "audience": "patients",
        "medical": "y",
        "email_subscribers": "y",
        "intent": "publish",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def publish(client, **fields):
    return client.post("/admin/posts/new", data=editor_form(**fields))


def path_of(url: str) -> str:
    return urlsplit(url).path


def link(text: str, part: str) -> str:
    """The first absolute URL in ``text`` whose path contains ``part``."""
    return next(url for url in re.findall(r"https?://[^\s<>\"]+", text) if part in url)


def add_subscribers(count: int, start: int = 0) -> None:
    rows = [{"email": f"reader{number}@example.org"} for number in range(start, start + count)]
    db.session.execute(insert(Subscriber), rows)
    db.session.commit()


def mail_count(**where) -> int:
    query = select(func.count(OutboxMail.id))
    for key, value in where.items():
        query = query.where(getattr(OutboxMail, key) == value)
    return db.session.scalar(query)


class FakeClock:
    """The worker's clock, advanced only by its own sleeps."""

    def __init__(self):
        self.time = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += seconds
