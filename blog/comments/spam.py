"""Spam checks for readers' comments: the form's signed start time, links, the blocklist.

Each check is a plain function of the comment's data and the settings, so the view and
the tests call the same rules.
"""

import re
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired

from blog.core import keys

TOO_FAST = (
    "That was sent faster than a person can type. Please wait a few seconds and send it again."
)
TOO_OLD = "This page was open too long ago. Your text is kept below: please send it again."
TAMPERED = "This form has expired. Your text is kept below: please send it again."


def form_token(post_id: int, purpose: str = keys.COMMENT_FORM) -> str:
    """A signed token saying in which minute the comment form for this post was made.

    To the minute, not the second, so a post page is the same for every reader who opens
    it within the minute and caches can share it. The time is when the page was made,
    which for a cached page is before this reader opened it: COMMENT_MAX_AGE_HOURS is
    counted from then, and "too fast" means sent within COMMENT_MIN_SECONDS of the start
    of that minute (never a person; a bot that posts straight after fetching a new page,
    some of the time). The subscribe form uses the same rule under its own ``purpose``
    (post id 0 on the home page).
    """
    return keys.serializer(purpose, per_minute=True).dumps(post_id)


def form_token_problem(token: str, post_id: int, purpose: str = keys.COMMENT_FORM) -> str | None:
    """Why a form's start token is refused (too fast, too old, forged), or None when fine."""
    max_age = float(current_app.config["COMMENT_MAX_AGE_HOURS"]) * 3600
    try:
        signed_post_id, signed_at = keys.serializer(purpose, per_minute=True).loads(
            token or "", max_age=max_age, return_timestamp=True
        )
    except SignatureExpired:
        return TOO_OLD
    except BadSignature:
        return TAMPERED
    if signed_post_id != post_id:
        return TAMPERED
    if time.time() - signed_at.timestamp() < float(current_app.config["COMMENT_MIN_SECONDS"]):
        return TOO_FAST
    return None


URL_RE = re.compile(r"\b(?:https?://|www\.)", re.IGNORECASE)


def link_count(body: str, body_html: str) -> int:
    """How many links a comment carries: the rendered links, or the web addresses in its
    text when there are more of those (an address on an unknown domain is not linked)."""
    return max(body_html.count("<a "), len(URL_RE.findall(body)))


def too_many_links(body: str, body_html: str) -> bool:
    return link_count(body, body_html) > int(current_app.config["COMMENT_MAX_LINKS"])


def blocklist_match(entries: list[str], *, name: str, email: str | None, body: str) -> str | None:
    """The first blocklist entry found in the comment, or None.

    An entry with "@" is an email address (matched exactly or in the text); any other
    entry (a word, a phrase or a domain) is matched case-insensitively as a whole word in
    the name, the email address and the text, so "spam.example" also catches
    "www.spam.example" and "x@spam.example".
    """
    email = (email or "").lower()
    haystack = f"{name}\n{email}\n{body}".lower()
    for entry in entries:
        if "@" in entry and entry == email:
            return entry
        if re.search(rf"(?<![\w-]){re.escape(entry)}(?![\w-])", haystack):
            return entry
    return None
