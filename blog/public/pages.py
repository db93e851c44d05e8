"""The post page: one renderer for a reader's view and for a comment sent back with
its problems, so a re-shown form looks exactly like the first one."""

from flask import render_template, request
from flask_login import current_user

from blog.comments import spam
from blog.comments.likes import has_liked
from blog.comments.moderation import comments_close_at, comments_open, reply_parent
from blog.comments.threads import awaiting_count, visible_threads
from blog.core.clock import utcnow
from blog.core.forms import ActionForm
from blog.core.site import site_settings
from blog.extensions import db
from blog.models import Comment, Post
from blog.posts import reading
from blog.public import reader, stored
from blog.public.forms import CommentForm, reader_form

LIKE_CONFIRM = "confirm"  # ?like=confirm: the first press from a browser set its cookie


def new_comment_form() -> CommentForm:
    form = reader_form(CommentForm, formdata=None)
    if current_user.is_authenticated:
        form.name.data = current_user.name
    return form


def reply_target(post: Post, form: CommentForm) -> Comment | None:
    """The comment being replied to (the bound form's parent_id, else ?reply_to=); the
    form's parent_id becomes the thread it joins, since replies go one level deep."""
    form.parent_id.data = str(form.parent_id.data or request.args.get("reply_to", ""))
    wanted = form.parent_comment_id()
    parent = reply_parent(post, wanted)
    form.parent_id.data = str(parent.id) if parent else ""
    return db.session.get(Comment, wanted) if parent else None


def ways_onward(post: Post) -> str:
    """Previous and next posts, and related posts other than those two."""
    neighbours = reading.neighbours(post)
    related = reading.related_posts(post, leave_out=neighbours.ids)
    return render_template("public/_post_after.html", related=related, neighbours=neighbours)


def render_post_page(
    post: Post,
    form: CommentForm | None = None,
    errors: list[str] | None = None,
    status=200,
    template: str = "public/post.html",
    **context,
):
    """The post page, with the reader's own comment form (kept text, problems) if given.
    Without a reader cookie it is the same for everyone; with one it shows the reader's
    own waiting comments and like. ``template`` and ``context``: a page built on it (a
    review link's, which extends public/post.html), with what that page adds."""
    count_view = context.pop("count_view", post.visible and not current_user.is_authenticated)
    own_browser = reader.own_hashes()
    threads = visible_threads(post.id, own_browser)
    form = form or new_comment_form()
    # A re-shown form keeps its start time, so "too fast" counts from the first page load.
    if spam.form_token_problem(form.started.data or "", post.id) not in (None, spam.TOO_FAST):
        form.started.data = stored.comment_form_token(post.id)
    closing = comments_close_at(post, site_settings())
    if closing is not None and closing > utcnow():
        stored.changes_at(closing)
    page = render_template(
        template,
        post=post,
        post_after=stored.part(f"post-after:{post.id}", lambda: ways_onward(post)),
        comments=threads,
        comment_form=form,
        form_errors=errors or [],
        comments_open=post.visible and comments_open(post, site_settings()),
        reply_to=reply_target(post, form),
        awaiting_count=awaiting_count(threads),
        like_form=reader_form(ActionForm, formdata=None),
        liked=has_liked(post.id, own_browser),
        like_confirm=request.args.get("like") == LIKE_CONFIRM,
        count_view=count_view,
        **context,
    )
    return page, status
