"""The author's sessions, kept on the server.

Flask-Login keeps ``Author.get_id()`` in the signed cookie: here that is the author's id
and a random token. The database keeps the token's SHA-256 in ``author_sessions``, and a
request is signed in only while that row exists and is within its limits:

- idle: SESSION_IDLE_MINUTES without a request (REMEMBER_IDLE_DAYS for "keep me signed in");
- absolute: SESSION_MAX_DAYS after signing in, however active.

Signing out deletes the row, so a copied cookie stops working at once; "sign out
everywhere" and a password change delete the others. A plain session's cookie also ends
with the browser; a remembered one is a permanent cookie (blog.auth sets the cookie).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, AuthorSession

# A session's last_seen_at is written at most this often (an author GET is not a write).
TOUCH_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _limits(remember: bool) -> tuple[timedelta, timedelta]:
    """(idle, absolute) lifetimes for a session of this kind."""
    config = current_app.config
    idle = (
        timedelta(days=float(config["REMEMBER_IDLE_DAYS"]))
        if remember
        else timedelta(minutes=float(config["SESSION_IDLE_MINUTES"]))
    )
    return idle, timedelta(days=float(config["SESSION_MAX_DAYS"]))


def is_current(row: AuthorSession, now: datetime | None = None) -> bool:
    now = now or utcnow()
    idle, absolute = _limits(row.remember)
    return now - row.last_seen_at < idle and now - row.created_at < absolute


def browser_label(user_agent: str) -> str:
    """A short name for a browser, e.g. "Firefox on Linux", from its User-Agent."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for token, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if token in ua
        ),
        "A browser",
    )
    system = next(
        (
            name
            for token, name in (
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Android", "Android"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("CrOS", "ChromeOS"),
                ("Linux", "Linux"),
            )
            if token in ua
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser


def start(author: Author, remember: bool, user_agent: str) -> str:
    """Record a new session for the author and return its token (kept only in the cookie,
    through ``author.session_token``); the caller signs the browser in and commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AuthorSession(
            token_hash=_hash(token),
            author_id=author.id,
            remember=remember,
            user_agent=browser_label(user_agent)[:200],
            created_at=now,
            last_seen_at=now,
        )
    )
    author.session_token = token
    return token


def find(user_id: str) -> tuple[Author, AuthorSession] | None:
    """The author and session that Flask-Login's "<id>:<token>" names, if that session
    still exists and is within its limits."""
    author_id, _, token = user_id.partition(":")
    if not author_id.isdigit() or not 20 <= len(token) <= 100:
        return None
    row = db.session.scalar(
        select(AuthorSession).where(
            AuthorSession.token_hash == _hash(token),
            AuthorSession.author_id == int(author_id),
        )
    )
    if row is None or not is_current(row):
        return None
    author = db.session.get(Author, row.author_id)
    if author is None or not author.can_sign_in:
        return None
    author.session_token = token
    return author, row


def touch_due(row: AuthorSession) -> bool:
    return utcnow() - row.last_seen_at >= TOUCH_EVERY


def touch(session_id: int) -> None:
    """Record activity on a session (the caller commits)."""
    db.session.execute(
        update(AuthorSession).where(AuthorSession.id == session_id).values(last_seen_at=utcnow())
    )


def end(session_id: int) -> None:
    """End one session (the caller commits)."""
    db.session.execute(delete(AuthorSession).where(AuthorSession.id == session_id))


def end_others(author_id: int, keep_id: int | None) -> int:
    """End every session of the author but ``keep_id`` (the caller commits)."""
    query = delete(AuthorSession).where(AuthorSession.author_id == author_id)
    if keep_id is not None:
        query = query.where(AuthorSession.id != keep_id)
    return db.session.execute(query, execution_options={"synchronize_session": False}).rowcount


@dataclass
class SessionRow:
    label: str
    created_at: datetime
    last_seen_at: datetime
    remember: bool
    current: bool


def listed(author_id: int, current_id: int | None) -> list[SessionRow]:
    """The author's live sessions, most recently used first, the current one marked."""
    now = utcnow()
    rows = db.session.scalars(
        select(AuthorSession)
        .where(AuthorSession.author_id == author_id)
        .order_by(AuthorSession.last_seen_at.desc())
    )
    return [
        SessionRow(
            row.user_agent, row.created_at, row.last_seen_at, row.remember, row.id == current_id
        )
        for row in rows
        if is_current(row, now)
    ]


def purge_expired() -> int:
    """Delete sessions past their absolute lifetime or the longest idle one (the caller
    commits; `flask purge` runs it)."""
    now = utcnow()
    config = current_app.config
    absolute = now - timedelta(days=float(config["SESSION_MAX_DAYS"]))
    remembered_idle = now - timedelta(days=float(config["REMEMBER_IDLE_DAYS"]))
    plain_idle = now - timedelta(minutes=float(config["SESSION_IDLE_MINUTES"]))
    return db.session.execute(
        delete(AuthorSession).where(
            (AuthorSession.created_at < absolute)
            | (AuthorSession.last_seen_at < remembered_idle)
            | (~AuthorSession.remember & (AuthorSession.last_seen_at < plain_idle))
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
