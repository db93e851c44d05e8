"""The one guard for every /admin URL, and the one answer to an expired form.

Every route of the blueprint requires the signed-in author, checked before the CSRF token
(so a signed-out request learns that first). A signed-out browser is sent
to sign in; a script gets a JSON 401. A form the author was filling in (the editor, the
settings) that arrives without a session or a valid CSRF token comes back as the same
page with the submitted text, never as a redirect that would drop it.
"""

from collections.abc import Callable

from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from blog.author import bp
from blog.core.database import SAFE_METHODS
from blog.core.inputs import request_limit, safe_next, wants_json
from blog.errors import http_error
from blog.extensions import csrf

SESSION_EXPIRED = (
    "Your session expired, so this was not saved. Your text is still here: sign in "
    "in another tab, then press Save again."
)
SIGNED_OUT = "Your session has ended. Sign in again in another tab, then retry."

# endpoint -> a function (status, message) giving its page refilled from the request
_text_keepers: dict[str, Callable] = {}


def keeps_text(*endpoints: str):
    """Register the page that gives the author's submitted text back for these endpoints."""

    def register(render: Callable) -> Callable:
        for endpoint in endpoints:
            _text_keepers[endpoint] = render
        return render

    return register


def kept_text_page(status: int):
    """The page the author was saving, refilled from the request, or None (also when the
    text is over the size its request may have: it is never read)."""
    keeper = _text_keepers.get(request.endpoint or "")
    if keeper is None or request.method != "POST" or wants_json():
        return None
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return None
    return keeper(status, SESSION_EXPIRED)


csrf.exempt(bp)  # checked below, once the author is known to be signed in


@bp.before_request
def require_author():
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS and current_app.config["WTF_CSRF_ENABLED"]:
            csrf.protect()  # raises CSRFError, answered by csrf_failed
        return None
    # Signed out, a request may send no more than a reader's form: the editor's cap would
    # let anyone make the server read megabytes of form text (0.5 s of CPU for 3.7 MB).
    # The editor's script keeps a longer text in the browser, to restore after signing in.
    request.max_content_length = request.max_form_memory_size = request_limit(None)
    kept = kept_text_page(401)
    if kept is not None:
        return kept
    if wants_json():
        return jsonify(error=SIGNED_OUT, signed_out=True, login_url=url_for("auth.login")), 401
    return redirect(url_for("auth.login", next=safe_next(request.full_path.rstrip("?"))))


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    kept = kept_text_page(400)
    return kept if kept is not None else http_error(error)
