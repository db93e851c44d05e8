"""First-run setup, sign-in (password, then the two-step code when it is on), sign-out."""

import time

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature

from blog.accounts import authors as accounts
from blog.accounts import limits, sessions, two_factor
from blog.auth import bp
from blog.auth.forms import LoginForm, SetupForm, TwoStepForm
from blog.core import keys
from blog.core.forms import ActionForm
from blog.core.inputs import safe_next
from blog.errors import http_error
from blog.extensions import db, limiter
from blog.models import Author

HINT_PASSWORD = accounts.PASSWORD_HINT
DEVICE_COOKIE = "rounds_device"
DEVICE_DAYS = 365
PENDING = "two_step_pending"  # in the (not yet signed-in) session between the two steps
PENDING_SECONDS = 300


def dashboard_url() -> str:
    return url_for("author.dashboard")


def refused(response) -> bool:
    """Rate limits count refused attempts only, not successful ones."""
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
        form.name.data,
        form.email.data,
        form.password.data,
        form.credentials.data or "",
        form.sample_posts.data,
    )
    begin_session(author, remember=False)
    db.session.commit()
    flash(f"Welcome, {author.name}. Your blog is ready.", "success")
    return remember_device(redirect(url_for("author.two_step", welcome=1), 303), author)


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or dashboard_url())
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/login.html", form=form, setup=accounts.setup_open()), status
    attempt = limits.attempt_keys(request.remote_addr, form.email.data, known_device())
    author = accounts.find_by_email(form.email.data)
    stored_hash = author.password_hash if author else None
    reserved = start_attempt(attempt)
    if reserved is None:
        return too_many("auth/login.html", form=form, setup=False)
    if not accounts.password_matches(stored_hash, form.password.data):
        flash("That email and password don't match an account.", "error")
        return render_template("auth/login.html", form=form, setup=False), 401
    limits.succeeded(reserved, attempt, forgive=not author.two_factor)
    if author.two_factor:
        db.session.commit()
        session[PENDING] = {
            "author": author.id,
            "remember": bool(form.remember.data),
            "next": next_url,
            "at": int(time.time()),
        }
        return redirect(url_for("auth.two_step"), 303)
    begin_session(author, remember=form.remember.data)
    db.session.commit()
    return remember_device(redirect(next_url or dashboard_url(), 303), author)


@bp.route("/login/code", methods=["GET", "POST"])
def two_step():
    """The second step: the code from the authenticator app, or a recovery code."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING, None)
        flash("Sign in again: the code page waits five minutes at most.", "error")
        return redirect(url_for("auth.login"), 303)
    form = TwoStepForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/two_step.html", form=form), status
    author = db.session.get(Author, pending["author"])
    if author is None or not author.two_factor:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"), 303)
    attempt = limits.attempt_keys(request.remote_addr, author.email, known_device())
    reserved = start_attempt(attempt)
    if reserved is None:
        return too_many("auth/two_step.html", form=form)
    used = two_factor.verify(author, form.code.data)
    if used is None:
        form.code.errors.append("That code isn't right. Codes change every 30 seconds.")
        return render_template("auth/two_step.html", form=form), 401
    limits.succeeded(reserved, attempt)
    begin_session(author, remember=pending.get("remember", False))
    db.session.commit()
    if used == "recovery":
        left = two_factor.recovery_codes_left(author)
        flash(
            f"You signed in with a recovery code; {left} left. If your phone is lost, turn "
            "two-step sign-in off and on again to link a new one.",
            "warning",
        )
    target = safe_next(pending.get("next")) or dashboard_url()
    return remember_device(redirect(target, 303), author)


def start_attempt(attempt: list[str]) -> list[int] | None:
    """Count a sign-in attempt before checking it (see limits.start), or None when it
    must wait (the wait kept for ``too_many``)."""
    reserved, g.retry_after = limits.start(attempt)
    return reserved


def too_many(template: str, **context):
    """The form again, with how long to wait (429 and Retry-After)."""
    wait = g.retry_after
    flash(limits.wait_message(wait), "error")
    page = render_template(template, **context)
    return page, 429, {"Retry-After": str(wait)}


def known_device() -> str | None:
    """This browser's device cookie, if the author signed in with it before."""
    cookie = request.cookies.get(DEVICE_COOKIE, "")
    if not cookie or len(cookie) > 200:
        return None
    try:
        keys.serializer(keys.SIGN_IN_DEVICE).loads(cookie, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None
    return cookie


def remember_device(response, author: Author):
    """Mark this browser as one the author signs in with (see blog.accounts.limits)."""
    response.set_cookie(
        DEVICE_COOKIE,
        keys.serializer(keys.SIGN_IN_DEVICE).dumps(author.id),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


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
