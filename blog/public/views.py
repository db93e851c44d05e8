"""Reader pages: home, post, tag, about, health check."""

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from blog.comments.page import post_page_context
from blog.extensions import db
from blog.models import Post, SlugRedirect, Tag, post_tags
from blog.pagination import page_number, paginate
from blog.public import bp
from blog.stats import is_reader_view, record_view


def cacheable() -> None:
    """Mark this response as the same for every anonymous reader."""
    if not current_user.is_authenticated:
        g.cache_public = True


@bp.get("/")
def home():
    number = page_number()
    featured = []
    latest_query = Post.public().options(selectinload(Post.tags))
    if number == 1:
        featured = db.session.scalars(
            Post.public().where(Post.featured.is_(True)).options(selectinload(Post.tags)).limit(3)
        ).all()
    if featured:
        latest_query = latest_query.where(Post.id.not_in([post.id for post in featured]))
    page = paginate(latest_query, number)
    cacheable()
    return render_template("public/home.html", featured=featured, page=page)


@bp.get("/post/<slug>")
def post(slug: str):
    found = db.session.scalar(select(Post).where(Post.slug == slug))
    if found is None:
        moved = db.session.get(SlugRedirect, slug)
        if moved is None:
            abort(404)
        target = db.session.get(Post, moved.post_id)
        return redirect(url_for("public.post", slug=target.slug), 301)
    if found.deleted_at is not None and not current_user.is_authenticated:
        abort(410)
    if not found.visible and not current_user.is_authenticated:
        abort(404)
    if found.visible and is_reader_view(request, current_user.is_authenticated):
        record_view(found.id)
    return render_template("public/post.html", post=found, **post_page_context(found))


@bp.get("/tag/<slug>")
def tag(slug: str):
    found = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if found is None:
        abort(404)
    query = (
        Post.public()
        .join(post_tags, post_tags.c.post_id == Post.id)
        .where(post_tags.c.tag_id == found.id)
        .options(selectinload(Post.tags))
    )
    page = paginate(query, page_number())
    cacheable()
    return render_template("public/tag.html", tag=found, page=page)


@bp.get("/about")
def about():
    cacheable()
    return render_template("public/about.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        db.session.rollback()
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
