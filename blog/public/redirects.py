"""Links to the old site keep working: a request for an address an imported post had
there (/2019/03/05/slug/, /?p=12, /slug/) answers 301 with the post's address here.
Only requests that found nothing else look, so no page pays for it."""

from flask import redirect, request, url_for
from flask_login import current_user

from blog.errors import http_error
from blog.imports.redirects import QUERY_KEYS, moved
from blog.public import bp


def new_address() -> str | None:
    found = moved(request.path, request.args) if request.method in ("GET", "HEAD") else None
    if found is None:
        return None
    post, target = found
    if post is None:
        return target
    if post.deleted_at is not None or not (post.visible or current_user.is_authenticated):
        return None  # the new address of a hidden post would give its title away
    return url_for("public.post", slug=post.slug)


@bp.app_errorhandler(404)
def moved_or_missing(error):
    target = new_address()
    return redirect(target, 301) if target else http_error(error)


@bp.before_request
def old_query_address():
    """WordPress's /?p=12 reaches the home page's route: look only when it has one."""
    if request.path == "/" and any(key in request.args for key in QUERY_KEYS):
        target = new_address()
        if target:
            return redirect(target, 301)
    return None
