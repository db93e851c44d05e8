"""The author's area: every /admin URL (dashboard, editor, history and trash, settings,
moderation, media library and upload, her pages, import, review links and reminders, reviewers,
export, password), behind one guard."""

from flask import Blueprint

bp = Blueprint("author", __name__, url_prefix="/admin")

from blog.author import (  # noqa: E402,F401  (registers the guard and the routes)
    account,
    comments,
    guard,
    history,
    imports,
    media,
    pages,
    posts,
    reviewers,
    reviews,
    settings,
    subscribers,
)
