"""The Import page: an uploaded WordPress or Ghost export (or a zip of one with its
images), or a Wix site's address, imported by the same code as `flask import-site`, in a
thread of its own while the page shows its progress."""

import threading

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blog.author import bp
from blog.author.forms import ImportForm
from blog.core.forms import ActionForm
from blog.core.inputs import size_text, sized_for, wants_json
from blog.extensions import db
from blog.imports import runs
from blog.models import ImportRun, RunStatus


def max_bytes() -> int:
    return int(float(current_app.config["IMPORT_MAX_MB"]) * 1024 * 1024)


def import_page(form: ImportForm, status: int = 200):
    page = render_template(
        "author/imports.html",
        form=form,
        runs=runs.recent(),
        busy=runs.busy(),
        is_stale=runs.is_stale,
        max_size=size_text(max_bytes()),
    )
    return page, status


def too_large():
    """An export over IMPORT_MAX_MB (the answer to the upload's 413)."""
    form = ImportForm(formdata=None)
    form.file.errors = [
        f"This file is larger than the {size_text(max_bytes())} limit for imports "
        "(IMPORT_MAX_MB). Export it without media, or import it on the server with "
        "`flask import-site`, which can read the images from a folder."
    ]
    return import_page(form, status=413)


@bp.get("/import")
def imports():
    return import_page(ImportForm(formdata=None))


@bp.post("/import")
@sized_for("import")
def start_import():
    form = ImportForm()
    if not form.validate_on_submit():
        return import_page(form, status=400)
    if runs.busy() is not None:
        flash("An import is already running; wait for it to finish.", "error")
        return import_page(form, status=409)
    runs.forget_old_files()
    dry_run = request.form.get("action") != "import"
    upload, address = form.file.data, form.address.data
    if upload and upload.filename:
        name = runs.stored_name(upload.filename)
        upload.save(runs.upload_folder() / name)
        run = runs.create_run(upload.filename, "", name, form.pages_as.data, dry_run)
    else:
        run = runs.create_run(address, address, "", form.pages_as.data, dry_run)
    db.session.commit()
    start(run)
    return redirect(url_for("author.import_run", run_id=run.id), 303)


@bp.post("/import/<int:run_id>/run")
def import_checked(run_id: int):
    """Import for real what a dry run checked, from the same file or address."""
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    checked = db.get_or_404(ImportRun, run_id)
    if not checked.dry_run or checked.status != RunStatus.DONE:
        abort(404)
    if checked.file_name == "" and not checked.address:
        flash("The checked file is no longer kept; upload it again.", "error")
        return redirect(url_for("author.imports"), 303)
    if runs.busy() is not None:
        flash("An import is already running; wait for it to finish.", "error")
        return redirect(url_for("author.import_run", run_id=checked.id), 303)
    run = runs.create_run(
        checked.label, checked.address, checked.file_name, checked.pages_as, dry_run=False
    )
    checked.file_name = ""  # the new run owns the file now
    db.session.commit()
    start(run)
    return redirect(url_for("author.import_run", run_id=run.id), 303)


def start(run: ImportRun) -> None:
    app = current_app._get_current_object()
    threading.Thread(
        target=runs.execute,
        args=(app, run.id, current_user.id),
        name=f"import-run-{run.id}",
        daemon=True,
    ).start()


@bp.get("/import/<int:run_id>")
def import_run(run_id: int):
    run = db.get_or_404(ImportRun, run_id)
    stale = runs.is_stale(run)
    finished = run.status in (RunStatus.DONE, RunStatus.FAILED) or stale
    if wants_json():
        return {
            "status": "stopped" if stale else run.status,
            "stage": run.stage,
            "done": run.done,
            "total": run.total,
            "finished": finished,
            "summary": run.summary,
        }
    return render_template(
        "author/import_run.html", run=run, stale=stale, finished=finished, form=ActionForm()
    )
