"""The worker: sends the outbox through SMTP, one mail at a time, outside any request.

Each mail is claimed in its own committed transaction (status SENDING), sent, and marked
SENT in the next one, right after the server accepts it, before the next mail is claimed.
So a worker killed at any point leaves at most one mail claimed and not marked: the one
it was sending. A mail claimed longer than MAIL_CLAIM_SECONDS ago is sent again: if the
kill came before the server answered "accepted" (nearly all of a send's time), that is
its only delivery; only a kill in the instant between the server's answer and the commit
(a local SQLite write) delivers it twice, and then both copies carry the same Message-ID,
which the receiving side can recognise. Nobody is skipped, and nothing else is resent.

Failures: a refusal of the address (5xx) fails the mail at once and counts against the
address (after MAIL_PAUSE_AFTER_FAILURES in a row it is paused); a deferral (4xx) or a
server that can't be reached puts the mail back with a delay that doubles each time, up
to MAIL_MAX_ATTEMPTS; a server problem also ends the run, so one outage doesn't use up
every mail's attempts.
"""

import contextlib
import signal
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, has_request_context
from sqlalchemy import and_, delete, or_, select, update

from blog.core.clock import utcnow
from blog.core.database import begin_write
from blog.extensions import db
from blog.mail import outbox
from blog.mail.messages import Skip, build, envelope_sender
from blog.models import MailFailure, MailStatus, OutboxMail

MAX_DELAY = timedelta(hours=6)
DEV_SITE_URL = "http://127.0.0.1:5000"  # where `make run` serves, when SITE_URL is unset
ERROR_CHARS = 500


class ServerProblem(Exception):
    """The SMTP server can't be used right now (down, refusing our sender or login)."""


@dataclass
class Report:
    queued: int = 0
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    problem: str = ""

    def __bool__(self) -> bool:
        return bool(self.queued or self.sent or self.failed or self.deferred or self.skipped)

    def __str__(self) -> str:
        parts = [f"{self.queued} queued", f"{self.sent} sent", f"{self.failed} failed"]
        parts += [f"{self.deferred} deferred", f"{self.skipped} skipped"]
        return ", ".join(parts) + (f"; stopped: {self.problem}" if self.problem else "")


@dataclass
class Clock:
    """Time for pacing: real by default, replaceable in tests."""

    now: callable = time.monotonic
    sleep: callable = time.sleep


@dataclass
class Pace:
    """At most ``per_minute`` sends a minute, evenly spaced."""

    per_minute: float
    clock: Clock = field(default_factory=Clock)
    last: float | None = None

    def wait(self) -> None:
        interval = 60 / self.per_minute if self.per_minute > 0 else 0
        if self.last is not None:
            remaining = self.last + interval - self.clock.now()
            if remaining > 0:
                self.clock.sleep(remaining)
        self.last = self.clock.now()


class Connection:
    """One SMTP session, opened when first needed, checked before reuse."""

    def __init__(self):
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        config = current_app.config
        timeout = float(config["MAIL_TIMEOUT"])
        host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
        context = ssl.create_default_context()
        if config["MAIL_USE_SSL"]:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=context)
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        return smtp

    def send(self, message: EmailMessage, to: str) -> None:
        if self.smtp is not None:
            try:
                self.smtp.noop()
            except (OSError, smtplib.SMTPException):
                self.close()
        if self.smtp is None:
            try:
                self.smtp = self.open()
            except (OSError, smtplib.SMTPException) as error:
                raise ServerProblem(f"Could not connect to the mail server: {error}") from None
        self.smtp.send_message(message, from_addr=envelope_sender() or None, to_addrs=[to])

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def mail_context():
    """Links in mail need the site's address: SITE_URL (the request's, in a request)."""
    if has_request_context():
        return contextlib.nullcontext()
    base = current_app.config["SITE_URL"] or DEV_SITE_URL
    return current_app.test_request_context("/", base_url=base)


# -- One mail -----------------------------------------------------------------------------


def due(now):
    stale = now - timedelta(seconds=float(current_app.config["MAIL_CLAIM_SECONDS"]))
    return or_(
        and_(OutboxMail.status == MailStatus.QUEUED, OutboxMail.due_at <= now),
        and_(OutboxMail.status == MailStatus.SENDING, OutboxMail.claimed_at <= stale),
    )


def claim_next() -> OutboxMail | None:
    """Claim the next due mail in a committed transaction, or None when none is due."""
    while True:
        begin_write()
        now = utcnow()
        mail_id = db.session.scalar(
            select(OutboxMail.id)
            .where(due(now))
            .order_by(OutboxMail.due_at, OutboxMail.id)
            .limit(1)
        )
        if mail_id is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail_id, due(now))
            .values(status=MailStatus.SENDING, claimed_at=now, attempts=OutboxMail.attempts + 1)
        ).rowcount
        db.session.commit()
        if claimed:
            return db.session.get(OutboxMail, mail_id)


def finish(mail_id: int, status: str, error: str = "", **values) -> None:
    begin_write()
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .values(status=status, error=error[:ERROR_CHARS], **values)
    )
    address = db.session.get(OutboxMail, mail_id).address
    if status == MailStatus.SENT:
        db.session.execute(
            delete(MailFailure).where(MailFailure.address == address, MailFailure.paused.is_(False))
        )
    db.session.commit()


def count_hard_failure(address: str, error: str) -> None:
    begin_write()
    failure = db.session.get(MailFailure, address) or MailFailure(address=address, count=0)
    failure.count += 1
    failure.last_error = error[:ERROR_CHARS]
    failure.last_failed_at = utcnow()
    failure.paused = failure.count >= int(current_app.config["MAIL_PAUSE_AFTER_FAILURES"])
    db.session.add(failure)
    db.session.commit()


def defer(mail: OutboxMail, error: str) -> bool:
    """Try again later, or give up after MAIL_MAX_ATTEMPTS; True when it will be retried."""
    config = current_app.config
    if mail.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        finish(mail.id, MailStatus.FAILED, f"Gave up after {mail.attempts} attempts: {error}")
        return False
    delay = timedelta(seconds=float(config["MAIL_RETRY_SECONDS"]) * 2 ** (mail.attempts - 1))
    finish(mail.id, MailStatus.QUEUED, error, due_at=utcnow() + min(delay, MAX_DELAY))
    return True


def is_paused(address: str) -> bool:
    return bool(db.session.scalar(select(MailFailure.paused).where(MailFailure.address == address)))


def refusal(error: smtplib.SMTPException, address: str) -> tuple[int, str]:
    """The SMTP code and text of a refusal."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = error.recipients.get(address, (450, b""))
    else:
        code, text = error.smtp_code, error.smtp_error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return code, f"{code} {text}".strip()


def send_one(mail: OutboxMail, connection: Connection, report: Report) -> None:
    """Send a claimed mail and record what happened; ServerProblem ends the run."""
    mail_id, address = mail.id, mail.address
    try:
        if is_paused(address):
            raise Skip("The address is paused after repeated refusals.")
        message = build(mail)
    except Skip as skip:
        db.session.commit()
        finish(mail_id, MailStatus.SKIPPED, str(skip))
        report.skipped += 1
        return
    except Exception as error:  # noqa: BLE001 (one mail that can't be made stops no other)
        db.session.rollback()
        current_app.logger.exception("Mail %s to %s could not be made", mail_id, address)
        finish(mail_id, MailStatus.FAILED, f"It could not be made into a message: {error}")
        report.failed += 1
        return
    db.session.commit()  # end the read before the network
    try:
        connection.send(message, address)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
        code, text = refusal(error, address)
        if code >= 500:
            finish(mail_id, MailStatus.FAILED, text)
            count_hard_failure(address, text)
            report.failed += 1
        else:
            report.deferred += defer(mail, text)
        return
    except ServerProblem as problem:
        defer(mail, str(problem))
        report.deferred += 1
        raise
    except (OSError, smtplib.SMTPException) as error:
        connection.close()
        text = str(error) or type(error).__name__
        defer(mail, text)
        report.deferred += 1
        raise ServerProblem(text) from None
    finish(mail_id, MailStatus.SENT, sent_at=utcnow())
    report.sent += 1


# -- Runs ---------------------------------------------------------------------------------


class Stop:
    """Set by SIGTERM/SIGINT: the run ends after the mail in hand."""

    requested = False


def queue_new_posts() -> int:
    begin_write()
    count = outbox.queue_public_posts()
    db.session.commit()
    return count


def send_due(limit: int | None = None, clock: Clock | None = None) -> Report:
    """Queue posts that have gone out, then send every due mail (at most ``limit``), at
    MAIL_RATE_PER_MINUTE."""
    report = Report()
    with mail_context():
        report.queued = queue_new_posts()
        if not current_app.config["MAIL_SERVER"]:
            report.problem = "MAIL_SERVER is not set"
            return report
        pace = Pace(float(current_app.config["MAIL_RATE_PER_MINUTE"]), clock or Clock())
        connection = Connection()
        try:
            handled = 0
            while not Stop.requested and (limit is None or handled < limit):
                mail = claim_next()
                if mail is None:
                    break
                pace.wait()
                send_one(mail, connection, report)
                handled += 1
        except ServerProblem as problem:
            report.problem = str(problem)
        finally:
            connection.close()
            db.session.commit()
    return report


def work(poll: float | None = None, runs: int | None = None, clock: Clock | None = None) -> None:
    """Send, then look again every MAIL_POLL_SECONDS, until SIGTERM (or ``runs`` runs)."""
    clock = clock or Clock()
    poll = float(current_app.config["MAIL_POLL_SECONDS"]) if poll is None else poll
    logger = current_app.logger
    done = 0
    while not Stop.requested and (runs is None or done < runs):
        report = send_due(clock=clock)
        db.session.remove()  # a fresh session (and connection) for each run
        if report or report.problem:
            (logger.warning if report.problem else logger.info)("Mail: %s", report)
        done += 1
        waited = 0.0
        while (runs is None or done < runs) and not Stop.requested and waited < poll:
            clock.sleep(min(1.0, poll - waited))  # wake each second to see a stop request
            waited += 1.0


def stop_on_signals() -> None:
    def request_stop(_signum, _frame):
        Stop.requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
