"""The one guard for every /admin URL, and the one answer to an expired form.

Every route of the blueprint requires the signed-in author, checked before the CSRF token
(so a signed-out request learns that first). A signed-out browser is sent
to sign in; a script gets a JSON 401. A form the author was filling in (the editor, the
settings) that arrives without a session or a valid CSRF token comes back as the same
page with the submitted text, never as a redirect that would drop it.
"""

from collections.abc import Callable

from flask import current_app, g, jsonify, redirect, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from blog.accounts import sessions
from blog.author import bp
from blog.core.database import SAFE_METHODS, CannotWrite, begin_write
from blog.core.inputs import request_limit, safe_next, wants_json
from blog.errors import FORM_EXPIRED, cannot_save_page, http_error, refused_write
from blog.extensions import csrf, db

SESSION_EXPIRED = (
    "Your session expired, so this was not saved. Your text is still here: sign in "
    "in another tab, then save again."
)
SIGNED_OUT = "Your session has ended. Sign in again in another tab, then retry."
CANNOT_SAVE = (
    "The site can't save right now (a problem on the server, such as a full disk, not with "
    "your text), so this was not saved. Your text is kept here and in this browser: press "
    "Save again later."
)

# endpoint -> a function (status, message) giving its page refilled from the request
_text_keepers: dict[str, Callable] = {}


def keeps_text(*endpoints: str):
    """Register the page that gives the author's submitted text back for these endpoints."""

    def register(render: Callable) -> Callable:
        for endpoint in endpoints:
            _text_keepers[endpoint] = render
        return render

    return register


def kept_text_page(status: int, problem: str = SESSION_EXPIRED):
    """The page the author was saving, refilled from the request, or None (also when the
    text is over the size its request may have: it is never read)."""
    keeper = _text_keepers.get(request.endpoint or "")
    if keeper is None or request.method != "POST" or wants_json():
        return None
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return None
    return keeper(status, problem)


csrf.exempt(bp)  # checked below, once the author is known to be signed in


@bp.before_request
def require_author():
    if current_user.is_authenticated:
        keep_session_alive()
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


def keep_session_alive() -> None:
    """Note the author's activity on the server-side session (it ends after idle hours),
    in its own short write, at most every few minutes."""
    row = g.get("author_session")
    if row is None or not sessions.touch_due(row):
        return
    try:
        begin_write()
        sessions.touch(row.id)
        db.session.commit()
    except CannotWrite:
        if request.method not in SAFE_METHODS:
            raise  # a save: answered by cannot_save below
        db.session.rollback()  # the author can still read her pages


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """The form's page, refilled; for a script, JSON saying the token is stale, so it can
    fetch a fresh one (its page, again) and send once more."""
    kept = kept_text_page(400)
    if kept is not None:
        return kept
    if wants_json() and current_user.is_authenticated:
        return jsonify(error=FORM_EXPIRED[1], stale_token=True), 400
    return http_error(error)


@bp.errorhandler(CannotWrite)
def cannot_save(error: CannotWrite):
    """503 when the database or the disk refuses writes: a form comes back with her text,
    a script gets the message as JSON (the editor keeps its text)."""
    refused_write(error)
    kept = kept_text_page(503, CANNOT_SAVE)
    if kept is not None:
        return kept
    if wants_json():
        return jsonify(error=CANNOT_SAVE), 503
    return cannot_save_page()
