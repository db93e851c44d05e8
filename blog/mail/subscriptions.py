"""Email subscriptions: double opt-in, unsubscribing, and the author's list.

An address is stored only once its owner confirms: the subscribe form queues one
confirmation mail whose link carries the address and the source, signed and expiring.
Whatever the address (new, already subscribed, or asked for a minute ago), the form gets
the same answer, so it tells no one who subscribes. An address gets at most one
confirmation mail a day, however often the form is sent.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import delete, func, select, update

from blog.core import keys
from blog.core.clock import utcnow
from blog.extensions import db
from blog.mail import outbox
from blog.models import (
    Comment,
    MailFailure,
    MailKind,
    OutboxMail,
    Post,
    Subscriber,
    SubscriberSource,
)

CONFIRM_SPACING = timedelta(days=1)
EXPIRED = (
    "This confirmation link has expired. Subscribe again from the blog and use the link in "
    "the new mail."
)
INVALID = "This link is not complete. Copy the whole link from the mail into the address bar."


def normalise(address: str) -> str:
    return address.strip().lower()


def is_subscribed(address: str) -> bool:
    return db.session.scalar(select(Subscriber.id).where(Subscriber.email == address)) is not None


def not_to_ask(addresses: list[str]) -> set[str]:
    """Those of the addresses no confirmation mail may go to: paused ones, and those that
    had one in the last day."""
    paused = select(MailFailure.address).where(
        MailFailure.address.in_(addresses), MailFailure.paused.is_(True)
    )
    recent = select(OutboxMail.address).where(
        OutboxMail.kind == MailKind.CONFIRM,
        OutboxMail.address.in_(addresses),
        OutboxMail.created_at > utcnow() - CONFIRM_SPACING,
    )
    return set(db.session.scalars(paused)) | set(db.session.scalars(recent))


def request_subscription(address: str, post_id: int | None = None) -> bool:
    """The subscribe form: queue a confirmation mail, unless the address is subscribed,
    paused, or had one in the last day. True when a mail was queued (never shown to the
    reader: the page says the same either way)."""
    address = normalise(address)
    if is_subscribed(address) or not_to_ask([address]):
        return False
    if post_id is not None and db.session.get(Post, post_id) is None:
        post_id = None
    source = SubscriberSource.POST if post_id else SubscriberSource.HOME
    outbox.enqueue(MailKind.CONFIRM, address, detail=f"{source}:{post_id or ''}")
    return True


# -- Signed links -------------------------------------------------------------------------


def confirm_token(address: str, detail: str) -> str:
    return keys.serializer(keys.SUBSCRIBE_CONFIRM).dumps([address, detail])


@dataclass
class Confirmation:
    address: str
    source: str
    post_id: int | None


def read_confirm_token(token: str) -> Confirmation:
    """What a confirmation link subscribes; ValueError (a message for the reader) when it
    is forged, cut short or expired."""
    max_age = float(current_app.config["SUBSCRIBE_CONFIRM_DAYS"]) * 86400
    try:
        address, detail = keys.serializer(keys.SUBSCRIBE_CONFIRM).loads(token, max_age=max_age)
        source, _, post_id = str(detail).partition(":")
    except SignatureExpired:
        raise ValueError(EXPIRED) from None
    except (BadSignature, TypeError, ValueError):
        raise ValueError(INVALID) from None
    if source not in tuple(SubscriberSource):
        raise ValueError(INVALID)
    return Confirmation(str(address), source, int(post_id) if post_id.isdigit() else None)


def confirm(confirmation: Confirmation) -> Subscriber:
    """Subscribe the address (once: confirming twice changes nothing)."""
    subscriber = db.session.scalar(
        select(Subscriber).where(Subscriber.email == confirmation.address)
    )
    if subscriber is None:
        post_id = confirmation.post_id
        if post_id is not None and db.session.get(Post, post_id) is None:
            post_id = None
        subscriber = Subscriber(
            email=confirmation.address, source=confirmation.source, source_post_id=post_id
        )
        db.session.add(subscriber)
        db.session.flush()
    return subscriber


def unsubscribe_token(address: str) -> str:
    """The address signed for unsubscribing: it never expires, so every mail's link works."""
    return keys.serializer(keys.UNSUBSCRIBE).dumps(address)


def read_unsubscribe_token(token: str) -> str | None:
    try:
        address = keys.serializer(keys.UNSUBSCRIBE).loads(token)
    except BadSignature:
        return None
    return address if isinstance(address, str) else None


def unsubscribe(address: str) -> None:
    """Stop all mail to a reader: the subscription, reply notices on their comments, and
    whatever is still queued to them. Doing it twice is the same as once."""
    address = normalise(address)
    db.session.execute(delete(Subscriber).where(Subscriber.email == address))
    db.session.execute(
        update(Comment)
        .where(Comment.email == address, Comment.notify_replies.is_(True))
        .values(notify_replies=False)
    )
    outbox.forget_address(address)


def erase(address: str) -> bool:
    """A removal request: the subscription and every mail to the address. True when it was
    subscribed."""
    address = normalise(address)
    removed = db.session.execute(delete(Subscriber).where(Subscriber.email == address)).rowcount
    outbox.erase_address(address)
    return bool(removed)


# -- The author's list --------------------------------------------------------------------


def subscriber_count() -> int:
    return db.session.scalar(select(func.count(Subscriber.id))) or 0


def search(query: str = ""):
    """A select() of subscribers, newest first, whose address contains ``query``."""
    statement = select(Subscriber).order_by(Subscriber.confirmed_at.desc(), Subscriber.id.desc())
    query = normalise(query)
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(Subscriber.email.like(pattern, escape="\\"))
    return statement


def remove(subscriber_id: int) -> Subscriber | None:
    subscriber = db.session.get(Subscriber, subscriber_id)
    if subscriber is not None:
        unsubscribe(subscriber.email)
    return subscriber


EXPORT_BATCH = 500
CSV_HEADER = ("email", "confirmed_at", "source")
# A cell a spreadsheet would run as a formula starts with one of these; "=cmd|x@y.org" is
# a valid address, so the export puts a quote before such an address (the import drops it).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def from_spreadsheet(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def export_rows() -> Iterable[str]:
    """The list as CSV lines, read in batches (never the whole list in memory)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    last_id = 0
    while True:
        batch = db.session.scalars(
            select(Subscriber)
            .where(Subscriber.id > last_id)
            .order_by(Subscriber.id)
            .limit(EXPORT_BATCH)
        ).all()
        for subscriber in batch:
            writer.writerow(
                [
                    spreadsheet_safe(subscriber.email),
                    subscriber.confirmed_at.isoformat(timespec="seconds"),
                    subscriber.source,
                ]
            )
            last_id = subscriber.id
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(batch) < EXPORT_BATCH:
            return


@dataclass
class ImportResult:
    added: int = 0
    asked: int = 0
    already: int = 0
    not_asked: int = 0  # asked in the last day, or paused: no second mail
    invalid: list[str] | None = None


MAX_IMPORT_ROWS = 50_000
EMAIL_HEADINGS = ("email", "e-mail", "email address")


def addresses_in(text: str) -> tuple[list[str], list[str], bool]:
    """The addresses in a CSV (the first cell of each row that holds an @, or any cell
    named "email"), normalised and without repeats; the cells that are not valid; and
    whether the file had more than MAX_IMPORT_ROWS rows (the rest are left out)."""
    found, invalid, seen = [], [], set()
    rows = csv.reader(io.StringIO(text))
    column = None
    for number, row in enumerate(rows):
        if number >= MAX_IMPORT_ROWS:
            return found, invalid, True
        cells = [from_spreadsheet(cell.strip()) for cell in row]
        names = [cell.lower() for cell in cells]
        if column is None and number == 0 and any(name in EMAIL_HEADINGS for name in names):
            column = next(i for i, name in enumerate(names) if name in EMAIL_HEADINGS)
            continue
        if column is not None:
            candidates = [cells[column]] if column < len(cells) else []
        else:
            candidates = [cell for cell in cells if "@" in cell][:1]
        for cell in candidates:
            try:
                address = normalise(validate_email(cell, check_deliverability=False).normalized)
            except EmailNotValidError:
                invalid.append(cell[:100])
                continue
            if address not in seen:
                seen.add(address)
                found.append(address)
    return found, invalid, False


def import_addresses(addresses: list[str], consented: bool) -> ImportResult:
    """Add addresses the author has. With ``consented`` they are subscribed at once;
    otherwise each new one gets the confirmation mail (at most one a day, none to a paused
    address) and is subscribed only if its owner confirms."""
    result = ImportResult(invalid=[])
    existing, not_asked = set(), set()
    for start in range(0, len(addresses), EXPORT_BATCH):
        chunk = addresses[start : start + EXPORT_BATCH]
        existing.update(
            db.session.scalars(select(Subscriber.email).where(Subscriber.email.in_(chunk)))
        )
        if not consented:
            not_asked.update(not_to_ask(chunk))
    for address in addresses:
        if address in existing:
            result.already += 1
        elif consented:
            db.session.add(Subscriber(email=address, source=SubscriberSource.IMPORT))
            result.added += 1
        elif address not in not_asked:
            outbox.enqueue(MailKind.CONFIRM, address, detail=f"{SubscriberSource.IMPORT}:")
            result.asked += 1
        else:
            result.not_asked += 1
    return result


def posting_rate() -> float:
    """Public posts a month over the last year: what the confirmation page promises."""
    since = utcnow() - timedelta(days=365)
    count = db.session.scalar(
        select(func.count(Post.id)).where(Post.is_public(), Post.published_at >= since)
    )
    return (count or 0) / 12
