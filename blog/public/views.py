"""Reader pages: home, post, tag, about, the author's pages, search, feeds, sitemap,
archive, favicon, media files, health check."""

from datetime import datetime

from flask import (
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blog.core import health
from blog.core.pagination import page_number, paginate
from blog.core.site import site_settings
from blog.extensions import db, limiter
from blog.models import Page, Post, SlugRedirect, Tag, post_tags
from blog.posts import feeds, images, reading
from blog.posts import search as site_search
from blog.posts import sitemap as site_map
from blog.public import bp, reader
from blog.public.pages import render_post_page
from blog.public.rehearsal import rehearsing
from blog.public.stored import shared_when_asked_again, stored

ONE_YEAR = 31_536_000
ONE_DAY = 86_400


def cacheable() -> None:
    """Mark this response as the same for every anonymous reader."""
    if not current_user.is_authenticated:
        g.cache_public = True


@bp.get("/")
@stored(paged=True)
def home():
    """Up to three featured posts on page 1, then the latest; every page of the latest
    leaves those three out, so the pages continue without repeats or gaps."""
    number = page_number()
    featured = db.session.scalars(
        Post.public().where(Post.featured.is_(True)).options(selectinload(Post.tags)).limit(3)
    ).all()
    latest = Post.public().where(Post.id.not_in([post.id for post in featured]))
    page = paginate(latest.options(selectinload(Post.tags)), number)
    cacheable()
    return render_template("public/home.html", featured=featured if number == 1 else [], page=page)


@bp.get("/post/<slug>")
@stored(variants=("reply_to", "like"))
def post(slug: str):
    """A post. Reading it writes nothing: its script counts the view (public.beacon)."""
    found = db.session.scalar(Post.with_text().where(Post.slug == slug))
    if found is None:
        moved = db.session.get(SlugRedirect, slug)
        if moved is None:
            abort(404)
        target = db.session.get(Post, moved.post_id)
        if not (target.visible or current_user.is_authenticated):
            abort(404)  # the new address of a hidden post would give its title away
        return redirect(url_for("public.post", slug=target.slug), 301)
    if found.deleted_at is not None and not current_user.is_authenticated:
        was_public = found.published_at is not None and found.published_at <= found.deleted_at
        abort(410 if was_public else 404)  # a 410 would confirm a draft's guessed address
    if not found.visible and not current_user.is_authenticated:
        abort(404)
    if not reader.has_token():  # else the page shows the reader's own comments and like
        cacheable()
    page, status = render_post_page(found)
    response = current_app.make_response((page, status))
    response.vary.add("Cookie")
    return response


def tag_or_404(slug: str) -> Tag:
    found = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if found is None:
        abort(404)
    return found


@bp.get("/tag/<slug>")
@stored(paged=True)
def tag(slug: str):
    found = tag_or_404(slug)
    query = (
        Post.public()
        .join(post_tags, post_tags.c.post_id == Post.id)
        .where(post_tags.c.tag_id == found.id)
        .options(selectinload(Post.tags))
    )
    page = paginate(query, page_number())
    if page.total == 0 and not current_user.is_authenticated:
        abort(404)  # a tag only drafts use would otherwise confirm its name to strangers
    cacheable()
    return render_template("public/tag.html", tag=found, page=page)


def feed_mimetype() -> str:
    """A browser that asks for a page (Accept prefers text/html) gets a feed as
    application/xml, which it shows through the feed's stylesheet; as atom+xml, Chromium
    shows the raw text. Feed readers get application/atom+xml."""
    best = request.accept_mimetypes.best_match(["application/atom+xml", "text/html"])
    return "application/xml" if best == "text/html" else "application/atom+xml"


def feed_response(body: bytes, posts: list[Post]) -> Response:
    """An Atom feed, of the type ``feed_mimetype`` picks."""
    response = xml_response(body, feed_mimetype(), feeds.last_modified(posts))
    response.vary.add("Accept")
    return response


@bp.get("/tag/<slug>/feed.xml")
@stored(for_everyone=True, negotiated=feed_mimetype)
def tag_feed(slug: str):
    found = tag_or_404(slug)
    posts = feeds.latest_posts(found)
    if not posts:
        abort(404)
    return feed_response(feeds.atom_feed(posts, site_settings(), found), posts)


@bp.get("/feed.xml")
@stored(for_everyone=True, negotiated=feed_mimetype)
def feed():
    posts = feeds.latest_posts()
    return feed_response(feeds.atom_feed(posts, site_settings()), posts)


@bp.get("/sitemap.xml")
@stored(for_everyone=True)
def sitemap():
    """Every page; past SITEMAP_POSTS_PER_FILE posts, an index of files that list them."""
    if sitemap_split():
        per_file = current_app.config["SITEMAP_POSTS_PER_FILE"]
        entries = site_map.index_entries(site_settings(), per_file)
        return sitemap_response(site_map.sitemap_index_xml(entries), entries)
    entries = site_map.sitemap_entries(site_settings())
    return sitemap_response(site_map.sitemap_xml(entries), entries)


@bp.get("/sitemap-pages.xml")
@stored(for_everyone=True)
def sitemap_pages():
    if not sitemap_split():
        abort(404)
    entries = site_map.page_entries(site_settings(), site_map.newest_post_time())
    return sitemap_response(site_map.sitemap_xml(entries), entries)


@bp.get("/sitemap-posts-<int:number>.xml")
@stored(for_everyone=True)
def sitemap_posts(number: int):
    entries = []
    if number >= 1 and sitemap_split():
        per_file = current_app.config["SITEMAP_POSTS_PER_FILE"]
        entries = site_map.post_file_entries(number, per_file)
    if not entries:
        abort(404)
    return sitemap_response(site_map.sitemap_xml(entries), entries)


def sitemap_split() -> bool:
    return reading.public_post_count() > current_app.config["SITEMAP_POSTS_PER_FILE"]


def sitemap_response(body: bytes, entries: list) -> Response:
    newest = max((modified for _, modified in entries if modified), default=None)
    return xml_response(body, "application/xml", newest)


@bp.get("/robots.txt")
def robots():
    cacheable()
    return Response(site_map.robots_txt(), mimetype="text/plain")


def xml_response(body: bytes, mimetype: str, modified: datetime | None) -> Response:
    """An XML response (public, with an ETag and 304s: see stored.finish)."""
    response = Response(body, mimetype=mimetype)
    if modified is not None:
        response.last_modified = modified
    return response


@bp.get("/search")
@limiter.limit(
    lambda: current_app.config["SEARCH_RATE_LIMIT"],
    error_message="This network has run many searches in a short time. Reading works as "
    "usual; please wait {wait} before searching again.",
    exempt_when=rehearsing,
)
@shared_when_asked_again
def search():
    query = request.args.get("q", "")
    results = site_search.SearchPage(query, page_number())
    if not results.failed:
        cacheable()
    return render_template("public/search.html", query=query, results=results)


@bp.get("/archive")
@bp.get("/archive/<int:year>")
@bp.get("/archive/<int:year>/<int:month>")
@stored(counters=False)
def archive(year: int | None = None, month: int | None = None):
    """Every post by month; past ARCHIVE_ALL_MAX posts, the whole archive is an index of
    months (each month's page lists its posts), not one page of thousands of links."""
    if year is None and reading.public_post_count() > current_app.config["ARCHIVE_ALL_MAX"]:
        cacheable()
        return render_template("public/archive_index.html", months=reading.archive_months())
    try:
        months = reading.archive(year, month)
    except ValueError:
        abort(404)
    if year is not None and not months:
        abort(404)
    cacheable()
    return render_template("public/archive.html", months=months, year=year, month=month)


@bp.get("/about")
@stored(counters=False)
def about():
    cacheable()
    return render_template("public/about.html")


@bp.get("/page/<slug>")
def page(slug: str):
    """One of the author's pages; a draft only for her."""
    found = db.session.scalar(select(Page).where(Page.slug == slug))
    if found is None or not (found.published or current_user.is_authenticated):
        abort(404)
    cacheable()
    return render_template("public/page.html", page=found)


@bp.get("/favicon.ico")
def favicon():
    """The favicon the author uploaded (its 32 px PNG), else the site's own. Browsers ask
    for this address whatever the page links to; it can't carry a version, so a day."""
    name = site_settings().favicon
    if name:
        folder, filename = current_app.config["MEDIA_DIR"], images.file_name(name, 32, "png")
    else:
        folder, filename = current_app.static_folder, "images/favicon.ico"
    response = send_from_directory(folder, filename, max_age=ONE_DAY)
    response.cache_control.public = True
    return response


@bp.get("/media/<filename>")
def media(filename: str):
    """A stored file. Names are content hashes, so a file never changes: cache it a year."""
    if not images.is_media_file_name(filename):
        abort(404)
    response = send_from_directory(current_app.config["MEDIA_DIR"], filename, max_age=ONE_YEAR)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/healthz")
def healthz():
    """200 when the database answers and can be written and the disks have room; else 503."""
    return health.report()
