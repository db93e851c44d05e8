"""Every reader URL: home, posts, tags, search, feeds, sitemap, about, media files, the
reader's comment, like and view-counting endpoints, and review links. Anonymous, cacheable
where the page is the same for all."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from blog.public import beacon, comments, redirects, review, subscribe, views  # noqa: E402,F401  (registers the routes)
