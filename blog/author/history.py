"""A post's revisions (compare, restore), the trash, and removing the sample posts."""

from flask import abort, flash, redirect, render_template, request, url_for

from blog.author import bp
from blog.author.posts import get_post_or_404
from blog.core.forms import ActionForm
from blog.extensions import db
from blog.models import REVISION_LABELS, Revision
from blog.posts.history import compare, is_unchanged, revisions_of
from blog.posts.samples import delete_samples as delete_sample_content
from blog.posts.trash import (
    empty_trash,
    move_to_trash,
    restore_from_trash,
    trashed_posts,
)
from blog.posts.writing import restore


def checked_action_form() -> None:
    """One-button actions carry only the CSRF token; anything else is a bad request."""
    if not ActionForm().validate_on_submit():
        abort(400)


# -- Revisions ------------------------------------------------------------------------


def get_revision_or_404(post_id: int, revision_id: int) -> Revision:
    revision = db.get_or_404(Revision, revision_id)
    if revision.post_id != post_id:
        abort(404)
    return revision


@bp.get("/posts/<int:post_id>/revisions")
def revisions(post_id: int):
    post = get_post_or_404(post_id)
    return render_template(
        "author/revisions.html", post=post, revisions=revisions_of(post), labels=REVISION_LABELS
    )


@bp.get("/posts/<int:post_id>/revisions/<int:revision_id>")
def revision(post_id: int, revision_id: int):
    post = get_post_or_404(post_id)
    found = get_revision_or_404(post_id, revision_id)
    lines = compare(found.body_md, post.body_md)
    return render_template(
        "author/revision.html",
        post=post,
        revision=found,
        lines=lines,
        unchanged=is_unchanged(lines) and found.title == post.title,
        labels=REVISION_LABELS,
        action_form=ActionForm(),
    )


@bp.post("/posts/<int:post_id>/revisions/<int:revision_id>/restore")
def restore_revision(post_id: int, revision_id: int):
    checked_action_form()
    post = get_post_or_404(post_id)
    restore(post, get_revision_or_404(post_id, revision_id))
    db.session.commit()
    flash("Revision restored. The text it replaced is kept in the revisions.", "success")
    return redirect(url_for("author.edit_post", post_id=post.id), 303)


# -- Trash ----------------------------------------------------------------------------


@bp.post("/posts/<int:post_id>/delete")
def delete_post(post_id: int):
    checked_action_form()
    post = get_post_or_404(post_id)
    move_to_trash(post)
    db.session.commit()
    flash(
        {
            "text": f"“{post.title}” was moved to the trash.",
            "undo": url_for("author.restore_post", post_id=post.id, then="edit"),
        },
        "success",
    )
    return redirect(url_for("author.dashboard"), 303)


@bp.get("/trash")
def trash():
    return render_template("author/trash.html", posts=trashed_posts(), action_form=ActionForm())


@bp.post("/posts/<int:post_id>/restore")
def restore_post(post_id: int):
    checked_action_form()
    post = get_post_or_404(post_id, trashed=True)
    restore_from_trash(post)
    db.session.commit()
    flash(f"“{post.title}” was restored from the trash.", "success")
    if request.args.get("then") == "edit":  # the Undo of "moved to the trash"
        return redirect(url_for("author.edit_post", post_id=post.id), 303)
    return redirect(url_for("author.trash"), 303)


@bp.route("/trash/empty", methods=["GET", "POST"], endpoint="empty_trash")
def empty_trash_view():
    """GET asks for confirmation (no script needed); POST deletes for good."""
    form = ActionForm()
    if not form.validate_on_submit():
        posts = trashed_posts()
        if not posts:
            flash("The trash is already empty.", "success")
            return redirect(url_for("author.trash"), 303)
        return render_template("author/empty_trash.html", posts=posts, action_form=form)
    count = empty_trash()
    db.session.commit()
    flash(f"Deleted {count} post{'s' if count != 1 else ''} for good.", "success")
    return redirect(url_for("author.trash"), 303)


@bp.post("/samples/delete")
def delete_samples():
    checked_action_form()
    count = delete_sample_content()
    db.session.commit()
    flash(f"Deleted the {count} sample post{'s' if count != 1 else ''}.", "success")
    return redirect(url_for("author.dashboard"), 303)
