"""Template globals and filters: the site's settings, dates in the site's time zone."""

from datetime import UTC, datetime

from flask import Flask
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from blog.content import typographic
from blog.core import clock
from blog.core.site import site_author, site_settings


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {word}"


def csrf_field() -> Markup:
    """The CSRF token as a hidden input: the one way every template writes it."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(generate_csrf())


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_date=clock.format_date,
        local_datetime=clock.format_datetime,
        iso=clock.iso_date,
        typographic=typographic,
    )
    app.jinja_env.globals.update(plural=plural, site_author=site_author, csrf_field=csrf_field)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_site():
        return {"site": site_settings(), "now_year": datetime.now(UTC).year}
