"""The author's own things: the password, and the whole blog as a download."""

import tempfile

from flask import current_app, flash, g, redirect, render_template, send_file, url_for
from flask_login import current_user

from blog.accounts import authors as accounts
from blog.author import bp
from blog.author.forms import PasswordForm
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author
from blog.posts.portability import export_zip

HINT_PASSWORD = accounts.PASSWORD_HINT


@bp.get("/export")
def export():
    """The zip, built in a temporary file with no name on disk: gone once it is closed."""
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
    author = db.session.get(Author, current_user.id)
    if accounts.authenticate(author.email, form.current.data) is None:
        form.current.errors.append("That isn't your current password.")
        return render_template("author/password.html", form=form, hint=HINT_PASSWORD), 400
    accounts.change_password(author, form.password.data, keep_session=g.author_session.id)
    db.session.commit()
    flash("Your password has been changed. Other signed-in browsers were signed out.", "success")
    return redirect(url_for("author.dashboard"), 303)
