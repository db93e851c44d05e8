"""Telling the author about new comments: an email when MAIL_SERVER is set, a log line
otherwise. A mail problem is logged and never undoes or fails the comment."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

from blog.core.site import site_author
from blog.models import Comment, CommentStatus, Post
from blog.posts.seo import absolute_url

EXCERPT_CHARS = 600


def recipient() -> str | None:
    """The email address of the author who signs in, if any."""
    author = site_author()
    return author.email if author is not None and author.can_sign_in else None


def build_message(comment: Comment, post: Post, to: str) -> EmailMessage:
    queue_url = absolute_url("author.moderate")  # SITE_URL: never the request's Host
    post_url = absolute_url("public.post", slug=post.slug) + f"#comment-{comment.id}"
    waiting = comment.status == CommentStatus.PENDING
    body = comment.body_md
    if len(body) > EXCERPT_CHARS:
        body = body[:EXCERPT_CHARS].rstrip() + " …"
    lines = [
        f"{comment.author_name} commented on “{post.title}”.",
        "",
        body,
        "",
        f"It is waiting for your approval: {queue_url}"
        if waiting
        else f"It is published: {post_url}\nModeration queue: {queue_url}",
    ]
    if comment.hold_reason:
        lines.insert(-1, f"Held because: {comment.hold_reason}")
    message = EmailMessage()
    prefix = "Comment awaiting approval" if waiting else "New comment"
    message["Subject"] = f"{prefix} on “{' '.join(post.title.split())}”"
    message["From"] = current_app.config["MAIL_FROM"] or to
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="rounds.local")
    message.set_content("\n".join(lines))
    return message


def send(message: EmailMessage) -> None:
    """Deliver a message through the configured SMTP server (raises on failure)."""
    config = current_app.config
    timeout = float(config["MAIL_TIMEOUT"])
    host, port = config["MAIL_SERVER"], int(config["MAIL_PORT"])
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    with smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def notify_new_comment(comment: Comment, post: Post) -> bool:
    """Email (or log) a new comment to the author. True when an email was sent."""
    logger = current_app.logger
    to = recipient()
    if not current_app.config["MAIL_SERVER"] or not to:
        logger.info(
            "New %s comment %d by %r on %r (no mail server or author email: not emailed)",
            comment.status,
            comment.id,
            comment.author_name,
            post.slug,
        )
        return False
    try:
        send(build_message(comment, post, to))
    except (OSError, ValueError, smtplib.SMTPException) as error:
        logger.error("Could not email the author about comment %d: %s", comment.id, error)
        return False
    return True
