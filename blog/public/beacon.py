"""The view beacon: the post page's script says "read" once the page has loaded."""

from flask import request
from flask_login import current_user

from blog.core.clock import utcnow
from blog.extensions import csrf
from blog.posts import stats
from blog.public import bp, reader


@bp.post("/post/<slug>/seen")
@csrf.exempt  # sent by the site's own page; another site's is refused by its Origin first
def seen(slug: str):
    """Count a reader's view: kept in memory and written in batches (blog.posts.stats),
    so this request runs no query. Bots, prefetches and the author are not counted."""
    if stats.is_reader_view(request.headers, current_user.is_authenticated):
        day = utcnow().date()
        stats.count_view(slug, day, reader.view_hash(slug, day))
    return "", 204
