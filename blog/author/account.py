"""The author's account: password, two-step sign-in, signed-in browsers, and the whole
blog as a download."""

import tempfile

from flask import (
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, logout_user

from blog.accounts import authors as accounts
from blog.accounts import limits, sessions, two_factor
from blog.author import bp
from blog.author.forms import ConfirmPasswordForm, PasswordForm, TwoStepCodeForm
from blog.core.clock import utcnow
from blog.core.forms import ActionForm
from blog.core.site import site_settings
from blog.extensions import db
from blog.models import Author

HINT_PASSWORD = accounts.PASSWORD_HINT


def this_author() -> Author:
    return db.session.get(Author, current_user.id)


@bp.get("/account")
def account():
    author = this_author()
    return render_template(
        "author/account.html",
        author=author,
        browsers=sessions.listed(author.id, g.author_session.id),
        codes_left=two_factor.recovery_codes_left(author) if author.two_factor else 0,
        form=ActionForm(formdata=None),
    )


@bp.post("/account/sign-out-others")
def sign_out_others():
    ended = sessions.end_others(current_user.id, g.author_session.id)
    db.session.commit()
    flash(f"Signed out everywhere else ({ended} other browser{'s' * (ended != 1)}).", "success")
    return redirect(url_for("author.account"), 303)


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere():
    sessions.end_others(current_user.id, None)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out on every browser, this one included.", "success")
    return redirect(url_for("auth.login"), 303)


@bp.route("/account/two-step", methods=["GET", "POST"])
def two_step():
    """Turn two-step sign-in on: scan the code, then prove it with a first code and the
    password (so a borrowed session can't tie the account to someone else's phone)."""
    author = this_author()
    if author.two_factor:
        return redirect(url_for("author.account"), 303)
    welcome = request.args.get("welcome") == "1"
    secret = two_factor.enrolment_secret(author.id, current_user.session_token)
    form = TwoStepCodeForm()
    status = 200
    if form.validate_on_submit():
        status = password_check(author, form.password)
        if status == 200:
            codes = two_factor.enable(author, secret, form.code.data)
            if codes is not None:
                db.session.commit()
                flash("Two-step sign-in is on.", "success")
                return render_template("author/recovery_codes.html", codes=codes)
            form.code.errors.append(
                "That code doesn't match. Check that the app's clock is right, and type the "
                "code it shows now."
            )
            status = 400
    elif form.is_submitted():
        status = 400
    uri = two_factor.provisioning_uri(
        secret, author.email, issuer=site_settings().site_title or two_factor.ISSUER
    )
    return render_template(
        "author/two_step.html",
        form=form,
        secret=secret,
        uri=uri,
        qr=two_factor.qr_svg_data_uri(uri),
        welcome=welcome,
    ), status


@bp.route("/account/two-step/off", methods=["GET", "POST"])
def two_step_off():
    return confirm_with_password(
        "off",
        done=lambda author: two_factor.disable(author),
        message="Two-step sign-in is off. Your password alone signs you in now.",
    )


@bp.route("/account/two-step/new-codes", methods=["GET", "POST"])
def new_recovery_codes():
    return confirm_with_password("codes", done=two_factor.new_recovery_codes)


def confirm_with_password(action: str, done, message: str = ""):
    """Run ``done(author)`` once the author confirms with her password."""
    author = this_author()
    if not author.two_factor:
        return redirect(url_for("author.account"), 303)
    form = ConfirmPasswordForm()
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = password_check(author, form.password)
        if status == 200:
            codes = done(author)
            db.session.commit()
            if codes:
                return render_template("author/recovery_codes.html", codes=codes)
            flash(message, "success")
            return redirect(url_for("author.account"), 303)
    return render_template("author/confirm_password.html", form=form, action=action), status


def password_check(author: Author, field) -> int:
    """Check the password typed in ``field`` under the sign-in limits (a stolen session
    can't guess it here either): 200 if right; else 400 or 429 with the field's error."""
    attempt = limits.attempt_keys(request.remote_addr, author.email, None)
    stored_hash = author.password_hash
    reserved, wait = limits.start(attempt)
    if reserved is None:
        field.errors.append(limits.wait_message(wait))
        return 429
    if not accounts.password_matches(stored_hash, field.data):
        field.errors.append("That isn't your password.")
        return 400
    limits.succeeded(reserved, attempt, forgive=False)
    return 200


@bp.get("/export")
def export():
    """The zip, built in a temporary file with no name on disk: gone once it is closed.
    Its writer (with PyYAML and python-frontmatter) is loaded for an export, not kept in
    every worker."""
    from blog.posts.portability import export_zip

    archive = tempfile.TemporaryFile(dir=current_app.instance_path)
    export_zip(archive)
    archive.seek(0)
    name = f"rounds-export-{utcnow():%Y-%m-%d}.zip"
    response = send_file(archive, "application/zip", as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("author/password.html", form=form, hint=HINT_PASSWORD), status
    author = this_author()
    status = password_check(author, form.current)
    if status != 200:
        return render_template("author/password.html", form=form, hint=HINT_PASSWORD), status
    accounts.change_password(author, form.password.data, keep_session=g.author_session.id)
    db.session.commit()
    flash("Your password has been changed. Other signed-in browsers were signed out.", "success")
    return redirect(url_for("author.account"), 303)
