"""The queue of mail in the database: what is to be sent, to whom, and what happened.

Nothing here talks to an SMTP server (blog.mail.sending does); a request only adds rows,
so it never waits for mail. A new post is queued for every confirmed subscriber in one
INSERT ... SELECT, and only by the transaction that moves its PostMail row from PENDING to
QUEUED, so a post is queued once whoever publishes it (the editor, or the worker finding
a scheduled post that has gone out).
"""

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, literal, select, update

from blog.core.clock import utcnow
from blog.core.database import count_by
from blog.extensions import db
from blog.models import (
    MailFailure,
    MailKind,
    MailState,
    MailStatus,
    OutboxMail,
    Post,
    PostMail,
    PostStatus,
    Subscriber,
)

FINISHED = (MailStatus.SENT, MailStatus.FAILED, MailStatus.SKIPPED)


def enqueue(kind: str, address: str, **fields) -> OutboxMail:
    """Add one mail to the queue (the caller commits)."""
    mail = OutboxMail(kind=kind, address=address, due_at=utcnow(), **fields)
    db.session.add(mail)
    return mail


def paused_addresses():
    return select(MailFailure.address).where(MailFailure.paused.is_(True))


# -- New posts ----------------------------------------------------------------------------


def plan_post_mail(post: Post, was_public: bool, send: bool) -> None:
    """After the author saves a post in the editor: a post that goes out now or is
    scheduled is to be emailed (unless she chose "publish without emailing"); a post that
    was already public, or whose mail is queued, is left as it is, so an edit never mails
    it again."""
    if was_public or post.status not in (PostStatus.PUBLISHED, PostStatus.SCHEDULED):
        return
    plan = db.session.get(PostMail, post.id)
    if plan is None:
        plan = PostMail(post_id=post.id)
        db.session.add(plan)
    elif plan.state == MailState.QUEUED:
        return
    plan.state = MailState.PENDING if send else MailState.NONE


def mail_plan(post_id: int | None) -> PostMail | None:
    return db.session.get(PostMail, post_id) if post_id else None


def queue_post(post_id: int, now: datetime | None = None) -> int | None:
    """Queue a PENDING post that readers can see for every confirmed subscriber (not
    paused), in one statement; the count, or None when it is not this call's to queue."""
    now = now or utcnow()
    public = select(Post.id).where(Post.id == post_id, Post.is_public())
    claimed = db.session.execute(
        update(PostMail)
        .where(
            PostMail.post_id == post_id,
            PostMail.state == MailState.PENDING,
            PostMail.post_id.in_(public),
        )
        .values(state=MailState.QUEUED, queued_at=now)
    )
    if claimed.rowcount != 1:
        return None
    recipients = select(
        literal(MailKind.POST.value),
        Subscriber.email,
        literal(post_id),
        literal(MailStatus.QUEUED.value),
        literal(now),
        literal(now),
    ).where(Subscriber.email.not_in(paused_addresses()))
    result = db.session.execute(
        insert(OutboxMail).from_select(
            ["kind", "address", "post_id", "status", "due_at", "created_at"], recipients
        )
    )
    count = result.rowcount
    db.session.execute(update(PostMail).where(PostMail.post_id == post_id).values(recipients=count))
    return count


def queue_public_posts() -> int:
    """Queue every PENDING post that has gone out (a scheduled post's time has come); the
    number of mails queued. The caller holds a write transaction and commits."""
    pending = db.session.scalars(
        select(PostMail.post_id)
        .join(Post, Post.id == PostMail.post_id)
        .where(PostMail.state == MailState.PENDING, Post.is_public())
        .order_by(Post.published_at)
    ).all()
    return sum(queue_post(post_id) or 0 for post_id in pending)


# -- What the author sees -----------------------------------------------------------------


def counts_by_status() -> dict[str, int]:
    return count_by(OutboxMail.status, tuple(MailStatus))


def recent(statuses: tuple[str, ...], limit: int = 50) -> list[OutboxMail]:
    return list(
        db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.status.in_(statuses))
            .order_by(OutboxMail.id.desc())
            .limit(limit)
        )
    )


def failing_addresses(limit: int = 100) -> list[MailFailure]:
    return list(
        db.session.scalars(
            select(MailFailure)
            .order_by(MailFailure.paused.desc(), MailFailure.last_failed_at.desc())
            .limit(limit)
        )
    )


def resume_address(address: str) -> bool:
    """Forget an address's failures, so mail to it is sent again."""
    return bool(
        db.session.execute(delete(MailFailure).where(MailFailure.address == address)).rowcount
    )


def retry_failed() -> int:
    """Put failed mails back in the queue (after the author fixed the SMTP settings)."""
    return db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.status == MailStatus.FAILED)
        .values(status=MailStatus.QUEUED, attempts=0, due_at=utcnow(), error="")
    ).rowcount


def forget_address(address: str) -> None:
    """Cancel what is queued to an address, and forget its failures (unsubscribing)."""
    db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.address == address,
            OutboxMail.status == MailStatus.QUEUED,
            OutboxMail.kind != MailKind.COMMENT,
        )
        .values(status=MailStatus.SKIPPED, error="Unsubscribed before it was sent.")
    )


def erase_address(address: str) -> int:
    """Delete every mail to an address, sent or not, and its failures (a removal request)."""
    db.session.execute(delete(MailFailure).where(MailFailure.address == address))
    return db.session.execute(
        delete(OutboxMail).where(
            OutboxMail.address == address,
            OutboxMail.kind != MailKind.COMMENT,
        )
    ).rowcount


def purge_log(days: float, now: datetime | None = None) -> int:
    """Delete finished mails older than ``days`` (the log's retention)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    finished = and_(OutboxMail.status.in_(FINISHED), OutboxMail.created_at < cutoff)
    return db.session.execute(delete(OutboxMail).where(finished)).rowcount
