"""What a new-post mail holds: plain-text and HTML parts made from the stored sanitised
HTML, absolute image addresses, links as the post has them (no tracking), the disclaimer,
the unsubscribe link and headers; the HTML part passes the sanitiser checks."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import select

from blog.extensions import db
from blog.mail import outbox, sending
from blog.mail.messages import absolute_html
from blog.mail.text import html_to_text
from blog.models import MailState, PostMail, Subscriber
from tests.comment_helpers import change_settings
from tests.conftest import CORPUS
from tests.html_checks import script_risks
from tests.mail.helpers import SITE

BODY = """Most salt is **already in the food** we buy.

## What to look for

- Bread and cereals
- Cured meat, like [ham](/tag/ham)

1. Read the label
2. Compare brands

> Less than 6 g a day.

See the [NHS guidance](https://www.nhs.uk/live-well/eat-well/food-types/salt-in-your-diet/).

![A salt shaker](/media/0123456789abcdef0123-960.jpg)

| Food | Salt |
| --- | --- |
| Bread | 1 g |
"""


def mail_for(make_post, inbox, body=BODY, **post_fields):
    db.session.add(Subscriber(email="reader@example.org"))
    post = make_post("Salt & you", body=body, **post_fields)
    db.session.add(PostMail(post_id=post.id, state=MailState.PENDING))
    db.session.commit()
    assert sending.send_due().sent == 1
    [message] = inbox.parsed()
    return message


def test_the_html_part_is_the_stored_html_with_absolute_addresses(make_post, inbox):
    message = mail_for(make_post, inbox)
    html = message.get_body(("html",)).get_content()
    assert '<a href="https://www.nhs.uk/live-well/eat-well/food-types/salt-in-your-diet/"' in html
    assert f'href="{SITE}/tag/ham"' in html
    assert f'src="{SITE}/media/0123456789abcdef0123-960.jpg"' in html
    assert f'<a href="{SITE}/post/salt-you">Salt &amp; you</a>' in html
    assert "<strong>already in the food</strong>" in html and "<table>" in html
    assert 'src="/' not in html and 'href="/' not in html
    assert "utm_" not in html and "?" not in re.sub(r"[^<]*", "", html)  # no query strings
    assert len(re.findall(r"<img\b", html)) == 1  # the post's image, and no pixel
    assert "not medical advice" in html
    assert f'href="{SITE}/unsubscribe/' in html
    assert script_risks(html) == []


def test_the_text_part_reads_well(make_post, inbox):
    message = mail_for(make_post, inbox)
    text = message.get_body(("plain",)).get_content()
    assert "Salt & you\n==========" in text
    assert "What to look for\n================" in text
    assert "- Bread and cereals\n- Cured meat, like ham" in text
    assert f"like ham <{SITE}/tag/ham>\n\n1. Read the label\n2. Compare brands" in text
    assert "> Less than 6 g a day." in text
    assert "See the NHS guidance\n<https://www.nhs.uk/live-well/eat-well/" in text
    assert "[Image: A salt shaker]" in text
    assert "Food | Salt\nBread | 1 g" in text
    assert "<" not in re.sub(r"<https?://[^>]+>", "", text)  # no HTML left
    assert "not medical advice" in text
    assert f"Unsubscribe (one click, no sign-in): {SITE}/unsubscribe/" in text
    assert all(len(line) <= 72 or "://" in line for line in text.splitlines())


def test_the_headers(make_post, inbox):
    change_settings(mail_sender_name="Dr. Ada", mail_sender_address="news@example.org")
    message = mail_for(make_post, inbox)
    assert message["From"] == '"Dr. Ada" <news@example.org>'
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "Salt & you"
    assert message["List-Unsubscribe"].startswith(f"<{SITE}/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@blog.example.org>")
    sent_at = parsedate_to_datetime(message["Date"])  # RFC 5322 requires it; filters check
    assert sent_at.utcoffset() is not None and abs(datetime.now(UTC) - sent_at) < timedelta(1)


def test_the_excerpt_setting(make_post, inbox):
    change_settings(mail_full_text=False)
    message = mail_for(make_post, inbox, excerpt="Where the salt hides.")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Where the salt hides." in text and "Read the whole post:" in text
    assert "Bread and cereals" not in text and "Bread and cereals" not in html
    assert script_risks(html) == []


def test_the_html_part_of_a_post_made_of_hostile_text_passes_the_sanitiser_checks(make_post, inbox):
    payloads = (CORPUS / "xss-payloads.txt").read_text(encoding="utf-8").splitlines()
    message = mail_for(make_post, inbox, body="\n\n".join(payloads[:400]))
    html = message.get_body(("html",)).get_content()
    assert script_risks(html) == []


def test_wide_images_fill_the_mail_and_small_ones_keep_their_size(app):
    html = '<img alt="x" height="800" src="/media/a-1600.jpg" width="1600">'
    with app.test_request_context(base_url=SITE):
        fitted = absolute_html(html)
    assert fitted == f'<img alt="x" src="{SITE}/media/a-1600.jpg" width="100%">'
    small = '<img alt="y" height="200" src="/media/b-300.jpg" width="300">'
    with app.test_request_context(base_url=SITE):
        assert absolute_html(small) == small.replace('src="/', f'src="{SITE}/')


def test_html_to_text_keeps_a_code_block_and_drops_heading_anchors():
    html = (
        '<h2 id="a">Dose<a class="heading-anchor" href="#a">#</a></h2>'
        "<pre><code>take 1\nthen 2</code></pre>"
    )
    assert html_to_text(html) == "Dose\n====\n\n    take 1\n    then 2"


def test_a_post_no_longer_public_is_skipped(make_post, inbox):
    db.session.add(Subscriber(email="reader@example.org"))
    post = make_post("Salt")
    db.session.add(PostMail(post_id=post.id, state=MailState.PENDING))
    db.session.commit()
    outbox.queue_post(post.id)
    post.status = "draft"
    db.session.commit()
    assert sending.send_due().skipped == 1 and inbox.messages == []
    assert db.session.scalar(select(PostMail.state)) == MailState.QUEUED
