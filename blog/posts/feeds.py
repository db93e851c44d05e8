"""Atom feeds (RFC 4287) of the latest public posts, with full content and absolute URLs.

Feed readers show a post away from the site, so every relative link and image in the
stored HTML is made absolute. Entry ids are tag: URIs made from the post's id and first
publication date, so they survive a change of slug or domain name.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from flask import current_app, url_for
from sqlalchemy.orm import selectinload, undefer

from blog.content import typographic
from blog.core.clock import iso_date
from blog.extensions import db
from blog.models import Post, Settings, Tag, post_tags
from blog.posts.seo import absolute_url, description, site_root

ATOM = "http://www.w3.org/2005/Atom"
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_SRCSET_ATTRIBUTE = re.compile(r'(\ssrcset=")([^"]*)(")')


def latest_posts(tag: Tag | None = None) -> list[Post]:
    """The newest FEED_SIZE public posts, optionally only those with ``tag``."""
    query = Post.public().options(selectinload(Post.tags), undefer(Post.body_html))
    if tag is not None:
        query = query.join(post_tags, post_tags.c.post_id == Post.id).where(
            post_tags.c.tag_id == tag.id
        )
    return list(db.session.scalars(query.limit(current_app.config["FEED_SIZE"])))


def last_modified(posts: list[Post]) -> datetime | None:
    return max((post.modified_at for post in posts), default=None)


def absolutize(fragment: str, base: str) -> str:
    """Make the href, src and srcset URLs in sanitised HTML absolute against ``base``."""

    def one(match: re.Match) -> str:
        return match.group(1) + urljoin(base, match.group(2)) + match.group(3)

    def srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match.group(2).split(","):
            url, _, size = candidate.strip().partition(" ")
            candidates.append(f"{urljoin(base, url)} {size}".strip())
        return match.group(1) + ", ".join(candidates) + match.group(3)

    return _SRCSET_ATTRIBUTE.sub(srcset, _URL_ATTRIBUTE.sub(one, fragment))


def entry_id(post: Post) -> str:
    host = urlsplit(site_root()).hostname or "localhost"
    day = (post.published_at or post.created_at).date().isoformat()
    return f"tag:{host},{day}:post-{post.id}"


def atom_feed(posts: list[Post], settings: Settings, tag: Tag | None = None) -> bytes:
    """The Atom document for ``posts`` (newest first)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    if tag is None:
        title = settings.site_title
        self_url = absolute_url("public.feed")
        page_url = absolute_url("public.home")
    else:
        title = f"{settings.site_title}: {tag.name}"
        self_url = absolute_url("public.tag_feed", slug=tag.slug)
        page_url = absolute_url("public.tag", slug=tag.slug)
    _text(feed, "title", title)
    if settings.tagline:
        _text(feed, "subtitle", settings.tagline)
    _text(feed, "id", self_url)
    _link(feed, self_url, "self", "application/atom+xml")
    _link(feed, page_url, "alternate", "text/html")
    updated = last_modified(posts) or settings.updated_at
    _text(feed, "updated", iso_date(updated))
    _text(feed, "generator", "Rounds")
    for post in posts:
        feed.append(_entry(post))
    # A browser that opens the feed shows it through this stylesheet, as a page saying
    # what a feed is; feed readers skip the instruction.
    stylesheet = url_for("static", filename="feed.xsl")
    return (
        b'<?xml version="1.0" encoding="utf-8"?>\n'
        + f'<?xml-stylesheet type="text/xsl" href="{stylesheet}"?>\n'.encode()
        + ET.tostring(feed, encoding="utf-8")
    )


def _entry(post: Post) -> ET.Element:
    url = absolute_url("public.post", slug=post.slug)
    entry = ET.Element(f"{{{ATOM}}}entry")
    _text(entry, "id", entry_id(post))
    # A sample post says so, and never points to the real author's About page.
    title = typographic(post.title)
    _text(entry, "title", f"Sample post: {title}" if post.sample else title)
    _link(entry, url, "alternate", "text/html")
    _text(entry, "published", iso_date(post.published_at))
    _text(entry, "updated", iso_date(post.modified_at))
    author = ET.SubElement(entry, f"{{{ATOM}}}author")
    _text(author, "name", post.author.name)
    if post.author.can_sign_in:
        _text(author, "uri", absolute_url("public.about"))
    for tag in post.tags:
        ET.SubElement(
            entry,
            f"{{{ATOM}}}category",
            {
                "term": tag.slug,
                "label": _xml_safe(tag.name),
                "scheme": absolute_url("public.home") + "tag/",
            },
        )
    summary = _text(entry, "summary", description(post))
    summary.set("type", "text")
    content = _text(entry, "content", absolutize(post.body_html, url))
    content.set("type", "html")
    return entry


def _text(parent: ET.Element, name: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = _xml_safe(value)
    return element


def _link(parent: ET.Element, href: str, rel: str, kind: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}link", {"href": href, "rel": rel, "type": kind})


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: str) -> str:
    """Drop the control characters XML 1.0 cannot carry (ElementTree writes them as-is)."""
    return _NOT_XML.sub("", value or "")
