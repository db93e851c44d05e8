"""The site's settings row and its author, each loaded once per application context."""

from flask import g
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db
from blog.models import Author, Settings


def site_settings() -> Settings:
    """The settings row (an unsaved row of defaults before the first save)."""
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
