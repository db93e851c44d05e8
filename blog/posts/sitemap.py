"""sitemap.xml and robots.txt: every public page a search engine should know about."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

from sqlalchemy import func, select

from blog.core.clock import iso_date
from blog.extensions import db
from blog.models import Page, PageStatus, Post, Settings, Tag, post_tags
from blog.posts.seo import absolute_url

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
DISALLOWED = ("/admin", "/login", "/setup")


def sitemap_entries(settings: Settings) -> list[tuple[str, datetime | None]]:
    """(absolute URL, last modified) for home, about, the archive, the author's published
    pages, tags and every post."""
    posts = db.session.execute(
        select(Post.slug, Post.updated_at, Post.published_at)
        .where(Post.is_public())
        .order_by(Post.published_at.desc(), Post.id.desc())
    ).all()
    newest = max((_modified(updated, published) for _, updated, published in posts), default=None)
    return page_entries(settings, newest) + [
        (absolute_url("public.post", slug=slug), _modified(updated, published))
        for slug, updated, published in posts
    ]


def page_entries(settings: Settings, newest: datetime | None) -> list[tuple[str, datetime | None]]:
    """Home, about, the archive (``newest``: the latest post's time), the author's published
    pages and tags."""
    tags = db.session.execute(
        select(Tag.slug, func.max(Post.updated_at), func.max(Post.published_at))
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(Post.is_public())
        .group_by(Tag.slug)
        .order_by(Tag.slug)
    ).all()
    entries = [
        (absolute_url("public.home"), newest),
        (absolute_url("public.about"), settings.updated_at if settings.id else None),
        (absolute_url("public.archive"), newest),
    ]
    entries += [
        (absolute_url("public.page", slug=slug), updated)
        for slug, updated in db.session.execute(
            select(Page.slug, Page.updated_at)
            .where(Page.status == PageStatus.PUBLISHED)
            .order_by(Page.slug)
        )
    ]
    entries += [
        (absolute_url("public.tag", slug=slug), _modified(updated, published))
        for slug, updated, published in tags
    ]
    return entries


def newest_post_time() -> datetime | None:
    """When the latest public post was published or edited (the home page's lastmod)."""
    updated, published = db.session.execute(
        select(func.max(Post.updated_at), func.max(Post.published_at)).where(Post.is_public())
    ).one()
    return _modified(updated, published)


def _posts_oldest_first():
    return (
        select(Post.slug, Post.updated_at, Post.published_at)
        .where(Post.is_public())
        .order_by(Post.published_at, Post.id)
    )


def post_file_entries(number: int, per_file: int) -> list[tuple[str, datetime | None]]:
    """The posts of the sitemap index's ``number``-th posts file (from 1), oldest first."""
    rows = db.session.execute(_posts_oldest_first().limit(per_file).offset((number - 1) * per_file))
    return [
        (absolute_url("public.post", slug=slug), _modified(updated, published))
        for slug, updated, published in rows
    ]


def index_entries(settings: Settings, per_file: int) -> list[tuple[str, datetime | None]]:
    """(absolute URL, last modified) of each file of the sitemap index: the pages, then
    the posts in files of ``per_file``."""
    times = [_modified(updated, published) for _, updated, published in db.session.execute(
        _posts_oldest_first()
    )]  # fmt: skip
    newest = max(filter(None, times), default=None)
    pages = page_entries(settings, newest)
    entries = [
        (
            absolute_url("public.sitemap_pages"),
            max(filter(None, [t for _, t in pages]), default=None),
        )
    ]
    for start in range(0, len(times), per_file):
        latest = max(filter(None, times[start : start + per_file]), default=None)
        entries.append((absolute_url("public.sitemap_posts", number=start // per_file + 1), latest))
    return entries


def _modified(updated: datetime | None, published: datetime | None) -> datetime | None:
    return max(filter(None, [updated, published]), default=None)


def sitemap_xml(entries: list[tuple[str, datetime | None]]) -> bytes:
    """A sitemap: a <url> for each page."""
    return _listing("urlset", "url", entries)


def sitemap_index_xml(entries: list[tuple[str, datetime | None]]) -> bytes:
    """A sitemap index: a <sitemap> for each of its files."""
    return _listing("sitemapindex", "sitemap", entries)


def _listing(root: str, item: str, entries: list[tuple[str, datetime | None]]) -> bytes:
    ET.register_namespace("", SITEMAP)
    listing = ET.Element(f"{{{SITEMAP}}}{root}")
    for url, modified in entries:
        element = ET.SubElement(listing, f"{{{SITEMAP}}}{item}")
        ET.SubElement(element, f"{{{SITEMAP}}}loc").text = url
        if modified is not None:
            ET.SubElement(element, f"{{{SITEMAP}}}lastmod").text = iso_date(modified)
    return ET.tostring(listing, encoding="utf-8", xml_declaration=True)


def robots_txt() -> str:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in DISALLOWED]
    lines += ["", f"Sitemap: {absolute_url('public.sitemap')}", ""]
    return "\n".join(lines)
