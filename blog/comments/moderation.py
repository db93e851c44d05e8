"""What happens to a comment: the policy that publishes or holds it, and the author's
moderation actions. Every status change goes through here so Post.comment_count stays
the number of approved comments."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from blog.comments import notify, spam
from blog.comments.counts import refresh_comment_count
from blog.content import block_depth, render_comment
from blog.core.bounded import TooComplex, run_bounded
from blog.core.clock import utcnow
from blog.core.database import count_by
from blog.extensions import db
from blog.models import Author, Comment, CommentStatus, Moderation, Post, Settings

ACTIONS = ("approve", "spam", "delete")
ACTION_STATUS = {"approve": CommentStatus.APPROVED, "spam": CommentStatus.SPAM}


@dataclass
class Draft:
    """A comment as the reader sent it, before the policy decides its status."""

    name: str
    email: str | None
    body: str
    parent_id: int | None = None
    honeypot: bool = False
    ip_hash: str | None = None
    body_html: str = ""  # rendered by render_body() before the write starts
    # The reader's browser token as hashed under every accepted key, current key first.
    browser_hashes: list[str] = field(default_factory=list)
    by_author: bool = False
    # "Email me when the author replies" (kept only with an email address).
    notify_replies: bool = False


MAX_NESTING = 8
_BLOCK_MARKER = re.compile(r"(?:>|[-*+]|\d{1,9}[.)])(?:\s+|$)")


def nesting_depth(text: str) -> int:
    """How deep a comment nests quotes and lists: markers at a line's start, and its
    indentation (two spaces a level)."""
    deepest = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        while match := _BLOCK_MARKER.match(stripped):
            depth += 1
            stripped = stripped[match.end() :]
        deepest = max(deepest, depth)
    return deepest


def render_body(text: str) -> str:
    """A comment's HTML, rendered within COMMENT_RENDER_SECONDS, or TooComplex. Quotes and
    lists nested deeper than MAX_NESTING are refused: they render quickly, but thousands
    of levels would stretch the page far beyond the screen. The text is checked first;
    the HTML after, however the nesting was written (">>>", tabs, lazy lines)."""
    if nesting_depth(text) > MAX_NESTING:
        raise TooComplex("nested too deeply")
    seconds = float(current_app.config["COMMENT_RENDER_SECONDS"])
    html = run_bounded(render_comment, text, seconds=seconds)
    if block_depth(html) > MAX_NESTING:
        raise TooComplex("nested too deeply")
    return html


def comments_close_at(post: Post, settings: Settings) -> datetime | None:
    """When comments on the post close by its age (None: they don't)."""
    days = settings.close_comments_after_days
    if days is None or post.published_at is None:
        return None
    return post.published_at + timedelta(days=days)


def comments_open(post: Post, settings: Settings) -> bool:
    """Whether readers may comment on the post now (the setting, and the post's age)."""
    if not settings.comments_enabled:
        return False
    closing = comments_close_at(post, settings)
    return closing is None or utcnow() < closing


def reply_parent(post: Post, comment_id: int | None) -> Comment | None:
    """The approved top-level comment a reply attaches to (a reply to a reply joins its
    parent's thread: one level only), or None when there is no such comment."""
    if comment_id is None:
        return None
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.post_id != post.id or comment.status != CommentStatus.APPROVED:
        return None
    if comment.parent_id is not None:
        parent = db.session.get(Comment, comment.parent_id)
        if parent is not None and parent.status == CommentStatus.APPROVED:
            return parent
        return None
    return comment


def is_known_commenter(draft: Draft) -> bool:
    """Whether this name and email already have an approved comment sent from this same
    browser: a name and a guessed email alone could be anyone's."""
    if not draft.email or not draft.browser_hashes:
        return False
    found = db.session.scalar(
        select(Comment.id)
        .where(
            Comment.status == CommentStatus.APPROVED,
            Comment.email == draft.email,
            func.lower(Comment.author_name) == draft.name.lower(),
            Comment.browser_hash.in_(draft.browser_hashes),
        )
        .limit(1)
    )
    return found is not None


def decide(draft: Draft, body_html: str, settings: Settings | None) -> tuple[str, str]:
    """The new comment's status and the reason shown to the moderator."""
    if draft.by_author:
        return CommentStatus.APPROVED, ""
    if draft.honeypot:
        return CommentStatus.SPAM, "The hidden form field was filled in (a bot, most likely)."
    entry = spam.blocklist_match(
        settings.blocklist_entries, name=draft.name, email=draft.email, body=draft.body
    )
    if entry:
        return CommentStatus.SPAM, f"Matches the blocklist entry “{entry}”."
    if spam.too_many_links(draft.body, body_html):
        return CommentStatus.PENDING, f"Has {spam.link_count(draft.body, body_html)} links."
    if settings.moderation == Moderation.OPEN:
        return CommentStatus.APPROVED, ""
    if settings.moderation == Moderation.HOLD_FIRST and is_known_commenter(draft):
        if spam.link_count(draft.body, body_html):
            return CommentStatus.PENDING, "Has a link: held even from a returning commenter."
        return CommentStatus.APPROVED, ""
    if settings.moderation == Moderation.HOLD_ALL:
        return CommentStatus.PENDING, "Every comment waits for approval (setting)."
    return CommentStatus.PENDING, "First comment from this name and email."


def add_comment(post: Post, draft: Draft, settings: Settings | None = None) -> Comment:
    """Store a comment with the status the policy gives it (caller commits); the author's
    own comments need no settings."""
    body_html = draft.body_html or render_body(draft.body)
    status, reason = decide(draft, body_html, settings)
    comment = Comment(
        post_id=post.id,
        parent_id=draft.parent_id,
        author_name=draft.name,
        email=draft.email,
        body_md=draft.body,
        body_html=body_html,
        status=status,
        is_author=draft.by_author,
        ip_hash=draft.ip_hash,
        browser_hash=draft.browser_hashes[0] if draft.browser_hashes else None,
        hold_reason=reason,
        notify_replies=bool(draft.notify_replies and draft.email and not draft.by_author),
    )
    db.session.add(comment)
    db.session.flush()
    refresh_comment_count(post.id)
    return comment


def apply_action(comment: Comment, action: str) -> None:
    """Approve, mark as spam or delete a comment (deleting removes its replies too)."""
    post_id = comment.post_id
    if action == "delete":
        db.session.execute(delete(Comment).where(Comment.parent_id == comment.id))
        db.session.delete(comment)
    else:
        comment.status = ACTION_STATUS[action]
        if action == "approve":
            comment.hold_reason = ""
    db.session.flush()
    refresh_comment_count(post_id)


def author_reply(comment: Comment, author: Author, body: str) -> Comment:
    """The author's reply, published at once under the comment's thread. Replying to a
    pending comment approves it: answering it is the author's decision to publish it."""
    if comment.status != CommentStatus.APPROVED:
        apply_action(comment, "approve")
    thread = comment.parent_id or comment.id
    draft = Draft(name=author.name, email=None, body=body, parent_id=thread, by_author=True)
    reply = add_comment(comment.post, draft)
    notify.notify_reply(comment, reply)
    return reply


def erase_email(email: str) -> int:
    """Delete every comment made with an email address (a reader's removal request).

    Replies to those comments go with them. Returns how many of the address's own
    comments were deleted.
    """
    email = email.strip().lower()
    rows = db.session.execute(
        select(Comment.id, Comment.post_id).where(Comment.email == email)
    ).all()
    if not rows:
        return 0
    ids = [row.id for row in rows]
    db.session.execute(delete(Comment).where(Comment.parent_id.in_(ids)))
    db.session.execute(delete(Comment).where(Comment.id.in_(ids)))
    for post_id in {row.post_id for row in rows}:
        refresh_comment_count(post_id)
    return len(ids)


def count_by_status() -> dict[str, int]:
    return count_by(Comment.status, tuple(CommentStatus))
