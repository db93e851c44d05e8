"""Author accounts: the first-run setup token, creating the author, passwords."""

import base64
import os

import click
from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms.validators import ValidationError

from blog.accounts import sessions
from blog.core import keys
from blog.extensions import db
from blog.models import Author, Post

MIN_PASSWORD_LENGTH = 12
PASSWORD_HINT = f"At least {MIN_PASSWORD_LENGTH} characters. A few unrelated words work well."
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
    port = os.environ.get("FLASK_RUN_PORT", "5000")
    base = app.config.get("SITE_URL") or f"http://127.0.0.1:{port}"
    app.logger.warning(
        "No author account yet. Setup token: %s — open %s/setup to create it.",
        token,
        base.rstrip("/"),
    )


def weak_password_reason(password: str) -> str | None:
    """Why a password is refused, in words for the form, or None if it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good one)."
    if len(set(password)) < 4:
        return "That password repeats too few characters; choose something less predictable."
    return None


def strong_password(form, field) -> None:
    """A form validator with ``weak_password_reason``'s words."""
    reason = weak_password_reason(field.data or "")
    if reason:
        raise ValidationError(reason)


def hash_password(password: str) -> str:
    """Werkzeug's scrypt (PASSWORD_HASH_METHOD; a cheap one under TESTING)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def create_author(name: str, email: str, password: str, credentials: str = "") -> Author:
    """Create the author account and hand it the sample posts; the caller commits."""
    author = Author(
        name=name.strip(),
        email=email.strip().lower(),
        credentials=credentials.strip(),
        password_hash=hash_password(password),
    )
    db.session.add(author)
    db.session.flush()
    take_over_sample_posts(author)
    return author


def take_over_sample_posts(author: Author) -> None:
    """Give the sample profile's posts to the real author and remove the profile."""
    samples = db.session.scalars(select(Author).where(Author.password_hash.is_(None))).all()
    for sample in samples:
        db.session.execute(
            update(Post).where(Post.author_id == sample.id).values(author_id=author.id)
        )
        db.session.delete(sample)


def authenticate(email: str, password: str) -> Author | None:
    author = db.session.scalar(select(Author).where(Author.email == email.strip().lower()))
    if author is None or author.password_hash is None:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _dummy_hashes:
            _dummy_hashes[method] = hash_password("not a real password, only here for timing")
        check_password_hash(_dummy_hashes[method], password)
        return None
    if not check_password_hash(author.password_hash, password):
        return None
    return author


def change_password(author: Author, new_password: str, keep_session: int | None) -> None:
    """Set a new password and end every other session of the author (the caller commits)."""
    author.password_hash = hash_password(new_password)
    sessions.end_others(author.id, keep_session)
