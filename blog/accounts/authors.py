"""Author accounts: the first-run setup token, creating the author, passwords."""

import base64
import os
import re

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import ValidationError

from blog.accounts import sessions
from blog.core import keys
from blog.extensions import db
from blog.models import Author
from blog.posts import samples

MIN_PASSWORD_LENGTH = 12
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses or more); it reads at
# most 72 characters, and a longer password's first 72 decide.
MIN_SCORE = 3
ZXCVBN_MAX = 72
SITE_WORDS = ["rounds", "blog", "admin", "doctor", "clinic"]
PASSWORD_HINT = (
    f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well; common "
    "passwords and ones made from your name or email are refused."
)
# Checked against when no account matches, so a wrong email costs as much as a wrong password.
_dummy_hashes: dict[str, str] = {}


def setup_tokens() -> list[str]:
    """The one-time setup token, derived from the secret key so every worker agrees on it;
    the current key's first, then those of retired keys (SECRET_KEY_FALLBACKS)."""
    return [
        base64.b32encode(digest[:15]).decode().lower()
        for digest in keys.keyed_digests(keys.FIRST_RUN_SETUP)
    ]


def token_matches(given: str) -> bool:
    return keys.matches_any(given.strip().lower(), setup_tokens())


def setup_open() -> bool:
    """First run: no author who can sign in exists (the sample profile doesn't count)."""
    return db.session.scalar(select(Author.id).where(Author.password_hash.is_not(None))) is None


def announce_setup_token(app: Flask) -> None:
    """Log the setup token and URL while the site has no author account.

    Only when the app is about to serve (gunicorn, or `flask run`): other commands such as
    `flask demo` load the app too, and would print it with a misleading address.
    """
    command = click.get_current_context(silent=True)
    if command is not None and command.info_name != "run":
        return
    try:
        with app.app_context():
            if not setup_open():
                return
            token = setup_tokens()[0]
    except SQLAlchemyError:  # database not created yet (e.g. during `flask db upgrade`)
        return
    app.logger.warning(
        "No author account yet. Setup token: %s — open %s to create it.",
        token,
        setup_address(app, command),
    )


def setup_address(app: Flask, command: click.Context | None) -> str:
    """Where the setup page is: SITE_URL's, else `flask run`'s own address; under a WSGI
    server such as gunicorn, which only nginx's address reaches, the site's /setup."""
    if app.config.get("SITE_URL"):
        return app.config["SITE_URL"].rstrip("/") + "/setup"
    if command is None:
        return "/setup on the site's address"
    port = command.params.get("port") or os.environ.get("FLASK_RUN_PORT", "5000")
    return f"http://127.0.0.1:{port}/setup"


def weak_password_reason(password: str, personal: tuple[str, ...] = ()) -> str | None:
    """Why a password is refused, in words for the form, or None if it is acceptable.

    Beyond the length, zxcvbn estimates how many guesses it would take, knowing the most
    common passwords (its bundled lists, no network), words, names, dates, keyboard runs
    and ``personal`` words such as the author's name and email; fewer than 10^8 is refused.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good one)."
    personal_words = {
        word.lower()
        for text in personal
        for word in [*re.split(r"[\s@]+", text), *re.split(r"[\W_]+", text)]
        if len(word) >= 3
    }
    from zxcvbn import zxcvbn  # its word lists take 12 MB: loaded when a password is set

    estimate = zxcvbn(password[:ZXCVBN_MAX], user_inputs=[*personal_words, *SITE_WORDS])
    if estimate["score"] >= MIN_SCORE and not _strong_without(password, personal_words):
        return "Don't build your password from your name, email or the blog's: add unrelated words."
    if estimate["score"] >= MIN_SCORE:
        return None
    warning = estimate["feedback"]["warning"]
    if warning:
        return f"{warning.rstrip('.')}: choose a password that is harder to guess."
    return (
        "That password would be easy to guess (common words or patterns, or your own "
        "name). Add a few unrelated words."
    )


def _strong_without(password: str, words: set[str]) -> bool:
    """Whether the password is still hard to guess once its personal words are taken out
    (zxcvbn alone rates "Ada Lovelace 2024" as strong: it knows names, not hers)."""
    whole = password.lower()[:ZXCVBN_MAX]
    rest = whole
    for word in sorted({*words, *SITE_WORDS}, key=len, reverse=True):
        rest = rest.replace(word, " ")
    if rest == whole:
        return True
    rest = " ".join(re.split(r"[\W_]+", rest)).strip()  # separators were the words' glue
    from zxcvbn import zxcvbn

    return bool(rest) and zxcvbn(rest)["score"] >= MIN_SCORE


def strong_password(form, field) -> None:
    """A form validator with ``weak_password_reason``'s words; the form's ``personal_words``
    (name, email) count as guessable too."""
    reason = weak_password_reason(field.data or "", tuple(form.personal_words()))
    if reason:
        raise ValidationError(reason)


def hash_password(password: str) -> str:
    """Werkzeug's scrypt (PASSWORD_HASH_METHOD; a cheap one under TESTING)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_author(
    name: str,
    email: str,
    password: str,
    credentials: str = "",
    sample_posts: str = samples.KEEP_AS_DRAFTS,
) -> Author:
    """Create the author account; the sample posts leave the public site at once, kept
    as drafts or deleted (``sample_posts``), and never become hers. The caller commits."""
    author = Author(
        name=name.strip(),
        email=email.strip().lower(),
        credentials=credentials.strip(),
        password_hash=hash_password(password),
    )
    db.session.add(author)
    db.session.flush()
    samples.settle(sample_posts)
    return author


def find_by_email(email: str) -> Author | None:
    """The author who signs in with this email (the sample profile never does)."""
    author = db.session.scalar(select(Author).where(Author.email == email.strip().lower()))
    return author if author is not None and author.can_sign_in else None


def password_matches(password_hash: str | None, password: str) -> bool:
    """Check a password against a stored hash, or against a dummy hash when there is
    none, so a wrong email costs as much time as a wrong password. Reads no database:
    callers check it outside any write transaction."""
    if password_hash is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _dummy_hashes:
            _dummy_hashes[method] = hash_password("not a real password, only here for timing")
        check_password_hash(_dummy_hashes[method], password)
        return False
    return check_password_hash(password_hash, password)


def authenticate(email: str, password: str) -> Author | None:
    author = find_by_email(email)
    return author if password_matches(author and author.password_hash, password) else None


def change_password(author: Author, new_password: str, keep_session: int | None) -> None:
    """Set a new password and end every other session of the author (the caller commits)."""
    author.password_hash = hash_password(new_password)
    sessions.end_others(author.id, keep_session)
