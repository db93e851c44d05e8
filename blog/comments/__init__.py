"""Comments: readers' comments and likes, spam defences, the author's moderation queue."""

from flask import Blueprint

bp = Blueprint("comments", __name__)

from blog.comments import views  # noqa: E402,F401  (registers the routes)
