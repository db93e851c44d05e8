"""Template globals and filters: the site's settings, dates in the author's time zone."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db
from blog.models import Author, Settings


def site_settings() -> Settings:
    """The settings row, loaded once per request."""
    if "site_settings" not in g:
        try:
            g.site_settings = Settings.current()
        except SQLAlchemyError:  # the error page must render even when the database fails
            db.session.rollback()
            g.site_settings = Settings(**Settings.defaults())
    return g.site_settings


def site_author() -> Author | None:
    """The blog's author: the account that signs in, else the sample profile."""
    if "site_author" not in g:
        g.site_author = db.session.scalar(
            select(Author).order_by(Author.password_hash.is_(None), Author.id).limit(1)
        )
    return g.site_author


def zone() -> ZoneInfo:
    try:
        return ZoneInfo(site_settings().timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_local(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time in the site's time zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(zone())


def format_date(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    local = to_local(value)
    if local is None:
        return ""
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


def iso_date(value: datetime | date | None) -> str:
    """ISO 8601 for machines (<time datetime>, feeds, structured data)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC, microsecond=0).isoformat()
    return value.isoformat()


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_date=format_date,
        local_datetime=format_datetime,
        iso=iso_date,
    )
    app.jinja_env.globals.update(plural=plural, site_author=site_author)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.before_request
    def forget_request_state():
        # Tests may keep one app context across requests; nothing here may leak between them.
        for key in ("site_settings", "site_author", "cache_public", "_login_user"):
            g.pop(key, None)

    @app.context_processor
    def inject_site():
        return {"site": site_settings(), "now_year": datetime.now(UTC).year}
