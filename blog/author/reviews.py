"""Medical review in the author's area: review links for a colleague (create, revoke) and
"Reviewed today" from the dashboard's reminders."""

from flask import abort, flash, redirect, render_template, url_for

from blog.author import bp
from blog.author.forms import NextForm, ReviewLinkForm
from blog.author.history import checked_action_form
from blog.author.posts import get_post_or_404
from blog.core.clock import format_date
from blog.core.inputs import safe_next
from blog.extensions import db
from blog.models import ReviewLink
from blog.posts import review_links, reviews
from blog.posts.seo import absolute_url


@bp.post("/posts/<int:post_id>/review-links")
def create_review_link(post_id: int):
    """Make a link and show its address, this once (only its hash is kept)."""
    post = get_post_or_404(post_id)
    form = ReviewLinkForm()
    if not form.validate_on_submit():
        abort(400)
    link, token = review_links.create(post, form.label.data or "")
    db.session.commit()
    return render_template(
        "author/review_link_created.html",
        post=post,
        link=link,
        url=absolute_url("public.review", token=token),
    )


@bp.post("/review-links/<int:link_id>/revoke")
def revoke_review_link(link_id: int):
    form = NextForm()
    if not form.validate_on_submit():
        abort(400)
    link = db.get_or_404(ReviewLink, link_id)
    review_links.revoke(link)
    db.session.commit()
    who = f" for {link.label}" if link.label else ""
    flash(
        f"The review link{who} to “{link.post.title}” was revoked: it no longer opens.", "success"
    )
    return redirect(safe_next(form.next.data) or url_for("author.dashboard"), 303)


@bp.post("/posts/<int:post_id>/reviewed")
def reviewed_today(post_id: int):
    checked_action_form()
    post = get_post_or_404(post_id)
    reviews.reviewed_today(post)
    db.session.commit()
    flash(f"“{post.title}” is marked as reviewed on {format_date(post.last_reviewed)}.", "success")
    return redirect(url_for("author.dashboard"), 303)
