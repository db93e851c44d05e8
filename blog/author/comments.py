"""The moderation queue: approve, mark as spam, delete, reply, erase a commenter."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blog.author import bp
from blog.author.forms import BulkForm, EraseForm, ModerationForm, ReplyForm
from blog.comments import moderation
from blog.comments.purge import purge_if_due
from blog.core.bounded import TooComplex
from blog.core.pagination import page_number, paginate
from blog.core.templating import plural
from blog.extensions import db
from blog.mail import subscriptions
from blog.models import Comment, CommentStatus

QUEUE_PAGE_SIZE = 50


def chosen_tab(value: str | None) -> str:
    return value if value in tuple(CommentStatus) else CommentStatus.PENDING


def back_to_queue(tab: str | None):
    return redirect(url_for("author.moderate", status=chosen_tab(tab)), 303)


def render_queue(status: str, code: int = 200, reply_form=None, reply_for=None, erase_form=None):
    query = (
        select(Comment)
        .where(Comment.status == status)
        .options(selectinload(Comment.post), selectinload(Comment.parent))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    page = paginate(query, page_number(), per_page=QUEUE_PAGE_SIZE)
    return (
        render_template(
            "author/moderate.html",
            status=status,
            page=page,
            counts=moderation.count_by_status(),
            action_form=ModerationForm(formdata=None, tab=status),
            bulk_form=BulkForm(formdata=None, tab=status),
            reply_form=reply_form,
            reply_for=reply_for,
            erase_form=erase_form or EraseForm(formdata=None, tab=status),
        ),
        code,
    )


@bp.get("/comments")
def moderate():
    status = request.args.get("status", CommentStatus.PENDING)
    if status not in tuple(CommentStatus):
        abort(404)
    purge_if_due()
    return render_queue(status)


DONE = {"approve": "approved", "spam": "marked as spam", "delete": "deleted"}


@bp.post("/comments/<int:comment_id>/<action>")
def comment_action(comment_id: int, action: str):
    if action not in moderation.ACTIONS:
        abort(404)
    form = ModerationForm()
    if not form.validate_on_submit():
        abort(400)
    comment = db.get_or_404(Comment, comment_id)
    name = comment.author_name
    moderation.apply_action(comment, action)
    db.session.commit()
    flash(f"The comment by {name} was {DONE[action]}.", "success")
    return back_to_queue(form.tab.data)


@bp.post("/comments/bulk")
def comments_bulk():
    form = BulkForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.ids.data:
        flash("Select one or more comments first.", "warning")
        return back_to_queue(form.tab.data)
    comments = db.session.scalars(select(Comment).where(Comment.id.in_(form.ids.data))).all()
    for comment in comments:
        moderation.apply_action(comment, form.action.data)
    db.session.commit()
    flash(f"{plural(len(comments), 'comment')} {DONE[form.action.data]}.", "success")
    return back_to_queue(form.tab.data)


@bp.post("/comments/<int:comment_id>/reply")
def comment_reply(comment_id: int):
    form = ReplyForm()
    if not form.validate_on_submit():
        db.get_or_404(Comment, comment_id)
        return render_queue(chosen_tab(form.tab.data), 400, reply_form=form, reply_for=comment_id)
    comment = db.get_or_404(Comment, comment_id)
    was_pending = comment.status != CommentStatus.APPROVED
    try:
        moderation.author_reply(comment, current_user, form.body.data)
    except TooComplex:
        db.session.rollback()
        form.body.errors.append("This reply is too intricate to show; simplify it.")
        return render_queue(chosen_tab(form.tab.data), 400, reply_form=form, reply_for=comment_id)
    db.session.commit()
    note = " The comment was approved too." if was_pending else ""
    flash(f"Your reply to {comment.author_name} is published.{note}", "success")
    return back_to_queue(form.tab.data)


@bp.post("/comments/erase")
def erase_commenter():
    form = EraseForm()
    if not form.validate_on_submit():
        return render_queue(chosen_tab(form.tab.data), 400, erase_form=form)
    deleted = moderation.erase_email(form.email.data)
    unsubscribed = subscriptions.erase(form.email.data)
    db.session.commit()
    parts = [f"deleted {plural(deleted, 'comment')} made with {form.email.data}"] if deleted else []
    if unsubscribed:
        parts.append(f"removed the subscription of {form.email.data} and its mail")
    if parts:
        done = " and ".join(parts)
        flash(done[0].upper() + done[1:] + ".", "success")
    else:
        flash(f"No comments or subscription were made with {form.email.data}.", "warning")
    return back_to_queue(form.tab.data)
