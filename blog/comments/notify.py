"""Mail about comments, queued for the worker (blog.mail.sending), never sent inside the
request: the author hears of each new comment (logged instead when there is no mail server
or no author address), and a reader who asked hears once when the author replies to
their comment. Nothing else is ever sent to commenters."""

from flask import current_app
from sqlalchemy import select

from blog.core.site import site_author
from blog.extensions import db
from blog.mail import outbox
from blog.models import Comment, CommentStatus, MailKind, OutboxMail, Post


def recipient() -> str | None:
    """The email address of the author who signs in, if any."""
    author = site_author()
    return author.email if author is not None and author.can_sign_in else None


def notify_new_comment(comment: Comment, post: Post) -> bool:
    """Queue a mail to the author about a new comment (the caller commits), or log it.
    True when a mail was queued."""
    to = recipient()
    if not current_app.config["MAIL_SERVER"] or not to:
        current_app.logger.info(
            "New %s comment %d by %r on %r (no mail server or author email: not emailed)",
            comment.status,
            comment.id,
            comment.author_name,
            post.slug,
        )
        return False
    outbox.enqueue(MailKind.COMMENT, to, comment_id=comment.id)
    return True


def notify_reply(replied_to: Comment, reply: Comment) -> bool:
    """Queue the one reply notice for the author's reply, if the reader asked for it (the
    caller commits). True when a mail was queued."""
    if not (
        current_app.config["MAIL_SERVER"]
        and reply.is_author
        and reply.status == CommentStatus.APPROVED
        and replied_to.notify_replies
        and replied_to.email
        and not replied_to.is_author
    ):
        return False
    already = select(OutboxMail.id).where(
        OutboxMail.kind == MailKind.REPLY, OutboxMail.comment_id == reply.id
    )
    if db.session.scalar(already) is not None:
        return False
    outbox.enqueue(MailKind.REPLY, replied_to.email, comment_id=reply.id, detail=str(replied_to.id))
    return True
