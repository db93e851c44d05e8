"""Who may use /admin, and what happens to the author's text when a session has ended.

Every route of the blueprint requires the signed-in author. A POST from the editor or
the settings page that arrives without a valid session or CSRF token is answered with
the same page and the submitted text, never a redirect that would drop it.
"""

from flask import jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from blog.author import bp
from blog.author.forms import PostForm, SettingsForm
from blog.errors import http_error
from blog.extensions import db, login_manager
from blog.models import Post

EDITOR_ENDPOINTS = {"author.new_post", "author.edit_post"}
SETTINGS_ENDPOINTS = {"author.settings"}
SCRIPT_ENDPOINTS = {"author.preview", "author.autosave"}

SESSION_EXPIRED = (
    "Your session expired, so this was not saved. Your text is still here: sign in "
    "in another tab, then press Save again."
)
SIGNED_OUT_SCRIPT = "Your session expired. Sign in in another tab, then press Save."


@bp.before_request
def require_author():
    if current_user.is_authenticated:
        return None
    if request.method == "POST":
        kept = keep_submitted_text(401)
        if kept is not None:
            return kept
    return login_manager.unauthorized()


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    kept = keep_submitted_text(400)
    if kept is not None:
        return kept
    return http_error(error)


def keep_submitted_text(status: int):
    """The page the author was saving, refilled from the request with a fresh token."""
    from blog.author.settings import render_settings
    from blog.author.views import render_editor, set_cover_choices

    signed_in = current_user.is_authenticated
    if request.is_json:  # not a form anyone typed in (and Flask-WTF would read it as one)
        return None
    if request.endpoint in EDITOR_ENDPOINTS:
        form = PostForm(meta={"csrf": False})
        set_cover_choices(form, signed_in=signed_in)
        post = None
        if signed_in and "post_id" in (request.view_args or {}):
            post = db.session.get(Post, request.view_args["post_id"])
        return render_editor(form, post, status, SESSION_EXPIRED, signed_in=signed_in)
    if request.endpoint in SETTINGS_ENDPOINTS:
        form = SettingsForm(meta={"csrf": False})
        return render_settings(form, status, SESSION_EXPIRED)
    if request.endpoint in SCRIPT_ENDPOINTS:
        return jsonify(error=SIGNED_OUT_SCRIPT, signed_out=True), status
    return None
