"""Every reader URL: home, posts, tags, search, feeds, sitemap, about, media files, the
reader's comment, like and view-counting endpoints, and review links. Anonymous, cacheable
where the page is the same for all."""

from flask import Blueprint, Response

bp = Blueprint("public", __name__)


def refused(response: Response, limit) -> Response:
    """A rate limit's own refusal page (a form kept for the reader) with how long to wait:
    the breached limit's window, in seconds."""
    response.headers["Retry-After"] = str(limit.limit.get_expiry())
    return response


from blog.public import beacon, comments, redirects, review, subscribe, views  # noqa: E402,F401  (registers the routes)
