"""The reviewers page: the colleagues the editor offers as a post's medical reviewer, to
add, correct (every post naming them follows) or delete (the posts then name no one)."""

from flask import abort, flash, redirect, render_template, request, url_for

from blog.author import bp
from blog.author.forms import ReviewerForm
from blog.author.guard import keeps_text
from blog.author.history import checked_action_form
from blog.core.templating import plural
from blog.extensions import db
from blog.models import Reviewer
from blog.posts import reviews


def get_reviewer_or_404(reviewer_id: int) -> Reviewer:
    reviewer = reviews.get_colleague(reviewer_id)
    if reviewer is None:
        abort(404)
    return reviewer


def render_reviewers(form: ReviewerForm, status: int = 200, problem: str | None = None):
    page = render_template(
        "author/reviewers.html",
        reviewers=reviews.colleagues(),
        counts=reviews.credit_counts(),
        form=form,
        problem=problem,
    )
    return page, status


def render_reviewer(
    reviewer: Reviewer, form: ReviewerForm, status: int = 200, problem: str | None = None
):
    page = render_template(
        "author/reviewer_edit.html",
        reviewer=reviewer,
        posts=reviews.credited_posts(reviewer),
        form=form,
        problem=problem,
    )
    return page, status


@keeps_text("author.reviewers")
def reviewers_with_submitted_text(status: int, problem: str):
    return render_reviewers(ReviewerForm(meta={"csrf": False}), status, problem)


@keeps_text("author.edit_reviewer")
def reviewer_with_submitted_text(status: int, problem: str):
    reviewer = reviews.get_colleague(request.view_args["reviewer_id"])
    if reviewer is None:
        return None  # the usual answer: nothing to refill
    return render_reviewer(reviewer, ReviewerForm(meta={"csrf": False}), status, problem)


@bp.route("/reviewers", methods=["GET", "POST"])
def reviewers():
    if request.method == "GET":
        return render_reviewers(ReviewerForm(formdata=None))
    form = ReviewerForm()
    if not form.validate_on_submit():
        return render_reviewers(
            form, 400, "The reviewer was not added. Correct the fields marked below."
        )
    reviewer = reviews.add_colleague(form.details())
    db.session.commit()
    flash(f"{reviewer.name} is offered as a reviewer in the editor.", "success")
    return redirect(url_for("author.reviewers"), 303)


@bp.route("/reviewers/<int:reviewer_id>", methods=["GET", "POST"])
def edit_reviewer(reviewer_id: int):
    reviewer = get_reviewer_or_404(reviewer_id)
    if request.method == "GET":
        return render_reviewer(reviewer, ReviewerForm(formdata=None, obj=reviewer))
    form = ReviewerForm()
    if not form.validate_on_submit():
        return render_reviewer(
            reviewer, form, 400, "Nothing was saved. Correct the fields marked below."
        )
    reviews.update_colleague(reviewer, form.details())
    db.session.commit()
    flash(f"{reviewer.name} was saved: the posts naming them show the change.", "success")
    return redirect(url_for("author.reviewers"), 303)


@bp.route("/reviewers/<int:reviewer_id>/delete", methods=["GET", "POST"])
def delete_reviewer(reviewer_id: int):
    """Ask first, naming the posts whose credit goes; then delete."""
    reviewer = get_reviewer_or_404(reviewer_id)
    if request.method == "GET":
        posts = reviews.credited_posts(reviewer)
        return render_template("author/reviewer_delete.html", reviewer=reviewer, posts=posts)
    checked_action_form()
    name = reviewer.name
    posts = reviews.remove_colleague(reviewer)
    db.session.commit()
    cleared = f" The credit was removed from {plural(len(posts), 'post')}." if posts else ""
    flash(f"{name} was deleted.{cleared}", "success")
    return redirect(url_for("author.reviewers"), 303)
