"""Subscribers and mail: the list (search, remove, export, import), and the outbox with
its failures, so the author sees what was sent and what wasn't."""

import tempfile

from flask import flash, redirect, render_template, request, send_file, url_for

from blog.author import bp
from blog.author.forms import ResumeAddressForm, SubscriberImportForm
from blog.core.clock import utcnow
from blog.core.forms import ActionForm
from blog.core.inputs import sized_for
from blog.core.pagination import page_number, paginate
from blog.core.templating import plural
from blog.extensions import db
from blog.mail import outbox, subscriptions
from blog.models import MailStatus

PAGE_SIZE = 50
IMPORT_MAX_BYTES = 5 * 1024 * 1024
NOT_TEXT = (
    "That file is not a CSV of addresses (it isn't text). Export the list as CSV and try again."
)


def render_subscribers(import_form=None, status: int = 200):
    query = request.args.get("q", "").strip()[:254]
    page = paginate(subscriptions.search(query), page_number(), per_page=PAGE_SIZE)
    return render_template(
        "author/subscribers.html",
        page=page,
        query=query,
        total=subscriptions.subscriber_count(),
        import_form=import_form or SubscriberImportForm(formdata=None),
        action_form=ActionForm(),
    ), status


@bp.get("/subscribers")
def subscribers():
    return render_subscribers()


@bp.post("/subscribers/<int:subscriber_id>/remove")
def remove_subscriber(subscriber_id: int):
    if not ActionForm().validate_on_submit():
        return render_subscribers(status=400)
    removed = subscriptions.remove(subscriber_id)
    db.session.commit()
    if removed:
        flash(f"Removed {removed.email}: nothing more will be sent to it.", "success")
    return redirect(url_for("author.subscribers", q=request.args.get("q") or None), 303)


@bp.get("/subscribers.csv")
def export_subscribers():
    """The list as CSV, written in batches to a file that stays in memory only while small."""
    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (send_file closes it)
    for chunk in subscriptions.export_rows():
        spool.write(chunk.encode())
    spool.seek(0)
    name = f"subscribers-{utcnow():%Y-%m-%d}.csv"
    return send_file(spool, "text/csv", as_attachment=True, download_name=name)


def decoded(raw: bytes) -> str:
    """A CSV's text: UTF-8, else Windows' Western encoding (what Excel saves on many
    machines; an address is ASCII either way, only names differ)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


@bp.post("/subscribers/import")
@sized_for("upload")
def import_subscribers():
    form = SubscriberImportForm()
    if not form.validate_on_submit():
        return render_subscribers(form, 400)
    raw = form.file.data.read(IMPORT_MAX_BYTES + 1)
    text = decoded(raw)
    if "\x00" in text or len(raw) > IMPORT_MAX_BYTES:
        form.file.errors = [NOT_TEXT if "\x00" in text else "That file is over 5 MB."]
        return render_subscribers(form, 400)
    addresses, invalid, cut_short = subscriptions.addresses_in(text)
    if not addresses:
        form.file.errors = ["No email addresses were found in that file."]
        return render_subscribers(form, 400)
    result = subscriptions.import_addresses(addresses, form.consented.data)
    db.session.commit()
    parts = []
    if result.added:
        parts.append(f"subscribed {plural(result.added, 'address', 'addresses')}")
    if result.asked:
        parts.append(f"sent a confirmation mail to {plural(result.asked, 'address', 'addresses')}")
    if result.not_asked:
        parts.append(
            f"{plural(result.not_asked, 'address', 'addresses')} not asked again "
            "(asked in the last day, or paused on the Mail page)"
        )
    if result.already:
        parts.append(f"{plural(result.already, 'address', 'addresses')} already subscribed")
    if invalid:
        shown = ", ".join(invalid[:5]) + (" …" if len(invalid) > 5 else "")
        parts.append(
            f"skipped {plural(len(invalid), 'entry', 'entries')} that aren't addresses ({shown})"
        )
    if cut_short:
        parts.append(
            f"stopped after the first {subscriptions.MAX_IMPORT_ROWS:,} rows: "
            "import the rest as another file"
        )
    summary = "; ".join(parts)
    flash(summary[0].upper() + summary[1:] + ".", "success")
    return redirect(url_for("author.subscribers"), 303)


@bp.get("/mail")
def mail_log():
    return render_template(
        "author/mail.html",
        counts=outbox.counts_by_status(),
        failed=outbox.recent((MailStatus.FAILED, MailStatus.SKIPPED)),
        waiting=outbox.recent((MailStatus.QUEUED, MailStatus.SENDING)),
        sent=outbox.recent((MailStatus.SENT,), limit=30),
        addresses=outbox.failing_addresses(),
        action_form=ActionForm(),
    )


@bp.post("/mail/resume")
def resume_address():
    form = ResumeAddressForm()
    if form.validate_on_submit() and outbox.resume_address(form.address.data):
        db.session.commit()
        flash(f"Mail to {form.address.data} is sent again.", "success")
    return redirect(url_for("author.mail_log"), 303)


@bp.post("/mail/retry")
def retry_failed_mail():
    if ActionForm().validate_on_submit():
        count = outbox.retry_failed()
        db.session.commit()
        flash(f"{plural(count, 'failed mail')} queued again.", "success")
    return redirect(url_for("author.mail_log"), 303)
