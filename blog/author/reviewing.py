"""What the author's pages show of medical review: the editor's reviewer field (who
reviewed the post; its choices are PostForm's) and the dashboard's reminders and review
links. The routes that act on them are in blog/author/reviews.py."""

from flask_login import current_user

from blog.author.forms import AUTHOR_HERSELF, PostForm
from blog.core.inputs import parse_id
from blog.core.site import site_settings
from blog.models import Post
from blog.posts import review_links, reviews


def reviewer_value(post: Post) -> str:
    """The reviewer field's value for a saved post ("" for the sample profile: never offered)."""
    reviewer = post.reviewer
    if not reviews.is_offered(reviewer):
        return ""
    return AUTHOR_HERSELF if reviewer.author is not None else str(reviewer.id)


def chosen_reviewer_id(form: PostForm) -> int | None:
    """The reviewer the editor names: someone new (typed in), the author, or one chosen."""
    if (form.reviewer_name.data or "").strip():
        new = reviews.NewReviewer(
            form.reviewer_name.data,
            form.reviewer_credentials.data or "",
            form.reviewer_url.data or "",
        )
        return reviews.add_colleague(new).id
    if form.reviewer.data == AUTHOR_HERSELF:
        return reviews.author_as_reviewer(current_user._get_current_object()).id
    return parse_id(form.reviewer.data or "")


def dashboard_reviews() -> dict:
    """The dashboard's part: posts due for review, and the review links that work."""
    months = site_settings().review_after_months
    due, due_total = reviews.due_for_review(months)
    return {
        "reviews_due": due,
        "reviews_due_total": due_total,
        "review_months": months,
        "review_links": review_links.working(),
    }
