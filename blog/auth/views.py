"""First-run setup, sign-in and sign-out."""

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError

from blog.accounts import authors as accounts
from blog.accounts import sessions
from blog.auth import bp
from blog.auth.forms import LoginForm, SetupForm
from blog.core.forms import ActionForm
from blog.core.inputs import safe_next
from blog.errors import http_error
from blog.extensions import db, limiter

HINT_PASSWORD = accounts.PASSWORD_HINT


def dashboard_url() -> str:
    return url_for("author.dashboard")


def refused(response) -> bool:
    """Rate limits count refused attempts only, not successful sign-ins."""
    return response.status_code in (400, 401, 403)


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["SETUP_RATE_LIMIT"], methods=["POST"], deduct_when=refused
)
def setup():
    if not accounts.setup_open():
        abort(404)
    form = SetupForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/setup.html", form=form, hint=HINT_PASSWORD), status
    if not accounts.token_matches(form.token.data):
        form.token.errors.append("That token doesn't match the one in the server log.")
        return render_template("auth/setup.html", form=form, hint=HINT_PASSWORD), 403
    if not accounts.setup_open():  # another request finished setup first
        abort(404)
    author = accounts.create_author(
        form.name.data, form.email.data, form.password.data, form.credentials.data or ""
    )
    begin_session(author, remember=False)
    db.session.commit()
    flash(f"Welcome, {author.name}. Your blog is ready.", "success")
    return redirect(dashboard_url(), 303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=refused
)
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or dashboard_url())
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form, setup=accounts.setup_open()), status
    author = accounts.authenticate(form.email.data, form.password.data)
    if author is None:
        flash("That email and password don't match an account.", "error")
        return render_template("auth/login.html", form=form, setup=False), 401
    begin_session(author, remember=form.remember.data)
    db.session.commit()
    return redirect(next_url or dashboard_url(), 303)


@bp.post("/logout")
def logout():
    if ActionForm().validate_on_submit():
        return signed_out()
    return confirm_logout()


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    if request.endpoint == "auth.logout":
        return confirm_logout()
    return http_error(error)


def begin_session(author, remember: bool) -> None:
    """Sign this browser in with a new server-side session; the caller commits."""
    session.clear()  # nothing from before signing in carries over
    sessions.start(author, remember, request.user_agent.string)
    session.permanent = remember
    login_user(author)


def signed_out():
    if current_user.is_authenticated:  # loads the session named in the cookie
        sessions.end(g.author_session.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("public.home"), 303)


def confirm_logout():
    """A sign-out whose form had expired: ask again with a fresh form, never ignore it."""
    if not current_user.is_authenticated:
        return signed_out()
    return render_template("auth/logout.html", form=ActionForm(formdata=None)), 400
