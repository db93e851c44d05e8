"""A draft shown to a reviewing colleague through a private link (/review/<token>): the
post page as it will publish, marked "Draft for review", kept out of search engines and
caches, with no comments, likes or view counting."""

from flask import make_response, render_template

from blog.extensions import db
from blog.models import Post
from blog.posts import review_links
from blog.public import bp
from blog.public.pages import render_post_page

UNKNOWN = (
    "This review link doesn't exist",
    "Check that the whole link was copied, or ask the author for a new one.",
)


def private(page: str, status: int):
    """Never indexed, stored or sent on as a referrer (the address is the key)."""
    response = make_response(page, status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def refused(code: int, title: str, message: str):
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return private(page, code)


@bp.get("/review/<token>")
def review(token: str):
    link = review_links.find(token)
    if link is None:
        return refused(404, *UNKNOWN)
    problem = review_links.refusal(link)
    if problem is not None:
        return refused(410, *problem)
    post = db.session.scalar(Post.with_text().where(Post.id == link.post_id))
    page, status = render_post_page(
        post, template="public/review.html", review_link=link, count_view=False
    )
    return private(page, status)
