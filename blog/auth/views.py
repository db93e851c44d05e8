"""First-run setup, sign-in, sign-out and password change."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from blog import accounts
from blog.auth import bp
from blog.auth.forms import HINT_PASSWORD, EmptyForm, LoginForm, PasswordForm, SetupForm
from blog.database import begin_write
from blog.extensions import db, limiter
from blog.models import Author


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
    begin_write()
    if not accounts.setup_open():  # another request finished setup first
        abort(404)
    author = accounts.create_author(
        form.name.data, form.email.data, form.password.data, form.credentials.data or ""
    )
    db.session.commit()
    login_user(author)
    flash(f"Welcome, {author.name}. Your blog is ready.", "success")
    return redirect(dashboard_url(), 303)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=refused
)
def login():
    next_url = accounts.safe_next(request.args.get("next"))
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
    login_user(author)
    return redirect(next_url or dashboard_url(), 303)


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You have signed out.", "success")
    return redirect(url_for("public.home"), 303)


@bp.route("/admin/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/password.html", form=form, hint=HINT_PASSWORD), status
    begin_write()
    author = db.session.get(Author, current_user.id)
    if accounts.authenticate(author.email, form.current.data) is None:
        form.current.errors.append("That isn't your current password.")
        return render_template("auth/password.html", form=form, hint=HINT_PASSWORD), 400
    accounts.change_password(author, form.password.data)
    db.session.commit()
    login_user(author)  # this session continues with the new version; others end
    flash("Your password has been changed. Other signed-in browsers were signed out.", "success")
    return redirect(dashboard_url(), 303)
