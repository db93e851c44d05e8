"""Each queued mail made into a message, when it is sent (so an edit before then shows).

A new post's mail has a plain-text and an HTML part, both made from the post's stored
sanitised HTML: the HTML part is that HTML with the site's own addresses made absolute
(images, links to other posts) and nothing added to a link; the text part is the same HTML
as text (blog.mail.text). Mail to readers carries a one-click unsubscribe (RFC 8058).
No tracking: no pixel, no rewritten link, no per-reader query string.
"""

import re
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from urllib.parse import urlsplit

from flask import current_app, render_template
from sqlalchemy import select

from blog.core import keys
from blog.core.site import site_author, site_settings
from blog.extensions import db
from blog.mail import subscriptions
from blog.mail.text import html_to_text
from blog.models import Comment, CommentStatus, MailKind, OutboxMail, Post, Subscriber
from blog.posts.seo import absolute_url, site_root

EXCERPT_CHARS = 600
MAIL_IMAGE_WIDTH = 480  # wider images fill the mail's column instead
URL_ATTRIBUTE = re.compile(r'\b(href|src|srcset)="([^"]*)"')
IMAGE_SIZE = re.compile(r"<img\b[^>]*>")
HEADING_ANCHOR = re.compile(r'<a\b[^>]*\bclass="heading-anchor"[^>]*>.*?</a>', re.DOTALL)


class Skip(Exception):
    """The mail is no longer to be sent; the message says why (the author's log)."""


# -- Shared parts -------------------------------------------------------------------------


def sender() -> str:
    """The From header: Settings' name and address, else the site's title and MAIL_FROM,
    else the author's own address."""
    settings = site_settings()
    address = settings.mail_sender_address or current_app.config["MAIL_FROM"]
    if not address:
        author = site_author()
        address = author.email if author is not None and author.email else ""
    name = " ".join((settings.mail_sender_name or settings.site_title).split())  # one line
    return formataddr((name, address))


def envelope_sender() -> str:
    return current_app.config["MAIL_FROM"] or site_settings().mail_sender_address


def message_id(mail: OutboxMail) -> str:
    """The same for every attempt at one mail, so a mail sent twice by a crash at the
    wrong instant is recognised as one message by the receiving side."""
    domain = urlsplit(site_root()).hostname or "rounds.invalid"
    tag = keys.keyed_hash(keys.MAIL_MESSAGE_ID, str(mail.id), length=16)
    return f"<{mail.id}.{tag}@{domain}>"


def new_message(mail: OutboxMail, subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender()
    message["To"] = mail.address
    message["Message-ID"] = message_id(mail)
    message["Date"] = formatdate(usegmt=True)  # required (RFC 5322); spam filters check it
    return message


def unsubscribe_url(address: str) -> str:
    return absolute_url("public.unsubscribe", token=subscriptions.unsubscribe_token(address))


def add_unsubscribe(message: EmailMessage, url: str) -> None:
    """RFC 8058: a mail client's "Unsubscribe" button POSTs to the URL, no cookie needed."""
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def absolute_html(fragment: str) -> str:
    """The stored HTML with the site's own addresses made absolute (a mail has no base
    address), wide images fitted to the column, and headings' "#" links left out.
    Nothing else changes: links go where the post's links go."""
    root = site_root()

    def absolute(value: str) -> str:
        return root + value if value.startswith("/") and not value.startswith("//") else value

    def rewrite(match: re.Match) -> str:
        name, value = match.groups()
        if name == "srcset":
            value = ", ".join(absolute(part.strip()) for part in value.split(","))
        else:
            value = absolute(value)
        return f'{name}="{value}"'

    def fit(match: re.Match) -> str:
        """An image wider than the column fills it (a mail has no max-width), its height
        following; a smaller one keeps its size."""
        tag = match.group(0)
        width = re.search(r'\bwidth="(\d+)"', tag)
        if not width or int(width.group(1)) <= MAIL_IMAGE_WIDTH:
            return tag
        tag = re.sub(r'\s*\bheight="\d+"', "", tag)
        return tag.replace(width.group(0), 'width="100%"')

    html = HEADING_ANCHOR.sub("", fragment)
    html = URL_ATTRIBUTE.sub(rewrite, html)
    return IMAGE_SIZE.sub(fit, html)


# -- Each kind ----------------------------------------------------------------------------


def confirmation(mail: OutboxMail) -> EmailMessage:
    settings = site_settings()
    token = subscriptions.confirm_token(mail.address, mail.detail)
    message = new_message(mail, f"Confirm your subscription to {settings.site_title}")
    message.set_content(
        render_template(
            "mail/confirm.txt",
            settings=settings,
            url=absolute_url("public.confirm_subscription", token=token),
            days=current_app.config["SUBSCRIBE_CONFIRM_DAYS"],
            home=site_root() + "/",
        )
    )
    return message


def post_mail(mail: OutboxMail) -> EmailMessage:
    post = db.session.scalar(Post.with_text().where(Post.id == mail.post_id))
    if post is None or not post.visible:
        raise Skip("The post is no longer public.")
    subscribed = select(Subscriber.id).where(Subscriber.email == mail.address)
    if db.session.scalar(subscribed) is None:
        raise Skip("Unsubscribed before it was sent.")
    settings = site_settings()
    full = settings.mail_full_text
    body_html = absolute_html(post.body_html) if full else ""
    context = {
        "post": post,
        "settings": settings,
        "full": full,
        "body_html": body_html,
        "body_text": html_to_text(body_html) if full else post.summary,
        "post_url": absolute_url("public.post", slug=post.slug),
        "home": site_root() + "/",
        "unsubscribe": unsubscribe_url(mail.address),
    }
    message = new_message(mail, post.title)
    add_unsubscribe(message, context["unsubscribe"])
    message.set_content(render_template("mail/post.txt", **context))
    message.add_alternative(render_template("mail/post.html", **context), subtype="html")
    return message


def reply_notice(mail: OutboxMail) -> EmailMessage:
    reply = db.session.get(Comment, mail.comment_id)
    replied_to = db.session.get(Comment, int(mail.detail)) if mail.detail.isdigit() else None
    if reply is None or reply.status != CommentStatus.APPROVED or replied_to is None:
        raise Skip("The reply or the comment it answers is gone.")
    if not replied_to.notify_replies or replied_to.email != mail.address:
        raise Skip("The reader no longer wants reply notices.")
    post = reply.post
    if not post.visible:
        raise Skip("The post is no longer public.")
    text = reply.body_md
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rstrip() + " …"
    unsubscribe = unsubscribe_url(mail.address)
    message = new_message(mail, f"{reply.author_name} replied to your comment on “{post.title}”")
    add_unsubscribe(message, unsubscribe)
    message.set_content(
        render_template(
            "mail/reply.txt",
            reply=reply,
            post=post,
            text=text,
            url=absolute_url("public.post", slug=post.slug, _anchor=f"comment-{reply.id}"),
            unsubscribe=unsubscribe,
            settings=site_settings(),
        )
    )
    return message


def comment_notice(mail: OutboxMail) -> EmailMessage:
    """A new comment, for the author: the queue's address (SITE_URL, never a request's)."""
    comment = db.session.get(Comment, mail.comment_id)
    if comment is None:
        raise Skip("The comment was deleted before the notice was sent.")
    post = comment.post
    waiting = comment.status == CommentStatus.PENDING
    body = comment.body_md
    if len(body) > EXCERPT_CHARS:
        body = body[:EXCERPT_CHARS].rstrip() + " …"
    prefix = "Comment awaiting approval" if waiting else "New comment"
    message = new_message(mail, f"{prefix} on “{post.title}”")
    message.set_content(
        render_template(
            "mail/comment.txt",
            comment=comment,
            post=post,
            body=body,
            waiting=waiting,
            queue_url=absolute_url("author.moderate"),
            post_url=absolute_url("public.post", slug=post.slug, _anchor=f"comment-{comment.id}"),
        )
    )
    return message


BUILDERS = {
    MailKind.CONFIRM: confirmation,
    MailKind.POST: post_mail,
    MailKind.REPLY: reply_notice,
    MailKind.COMMENT: comment_notice,
}


def build(mail: OutboxMail) -> EmailMessage:
    """The message for a queued mail; Skip when it is no longer to be sent."""
    return BUILDERS[MailKind(mail.kind)](mail)
