"""The author's area under /admin: dashboard, editor, history, trash and settings."""

from flask import Blueprint

bp = Blueprint("author", __name__, url_prefix="/admin")

from blog.author import access, export, history, settings, views  # noqa: E402,F401
