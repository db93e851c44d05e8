"""What an importer reads from a Wix site, a WordPress export or a Ghost export, in one
shape, before anything is written: posts with their comments, images to bring along,
the old addresses to redirect, and warnings about what was left out."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from blog.core.clock import aware_to_utc
from blog.models import PostStatus

ID_MAX = 200


@dataclass
class SourceComment:
    original_id: str
    parent_id: str | None
    name: str
    email: str | None
    html: str
    created_at: datetime | None
    by_author: bool = False


@dataclass
class SourcePost:
    original_id: str
    title: str
    slug: str
    html: str
    base_url: str  # for relative links and images in ``html``
    kind: str = "post"  # or "page"
    status: str = PostStatus.PUBLISHED
    published_at: datetime | None = None
    updated_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""
    meta_description: str = ""
    featured: bool = False
    view_count: int = 0
    cover_url: str | None = None
    cover_alt: str = ""
    author_name: str = ""
    # Paths the post had on the old site, answered with a 301 here.
    old_paths: list[str] = field(default_factory=list)
    # Wix: the slug of /post/<slug> there, kept here when free.
    old_slug: str | None = None
    comments: list[SourceComment] = field(default_factory=list)
    # Comments the old site counted but the source does not hold (Wix).
    comment_total: int = 0


@dataclass
class ImageRef:
    url: str
    alt: str = ""


@dataclass
class Source:
    key: str  # what import items are keyed by, e.g. "wordpress:old.example.org"
    kind: str  # "Wix", "WordPress" or "Ghost", for messages
    label: str
    posts: list[SourcePost] = field(default_factory=list)
    # Images to bring into the media library besides those the posts show.
    attachments: list[ImageRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The old site's host names: links to them are links between imported posts.
    hosts: set[str] = field(default_factory=set)
    # An image's address -> a copy on disk (an uploads folder, a zip), or None.
    find_local: Callable[[str], Path | None] = lambda url: None
    # Images on these hosts are only looked for on disk (Ghost's placeholder address),
    # with this hint when missing.
    offline_hosts: set[str] = field(default_factory=set)
    offline_hint: str = ""
    # An image's address -> the address of its original (not a resized copy).
    original_image: Callable[[str], str] = lambda url: url


def item_id(text: str) -> str:
    """An original id that fits the column: long ones (addresses) are hashed."""
    if len(text) <= ID_MAX:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def old_path(url_or_path: str) -> str:
    """The form redirects are stored and looked up in: the path (with ?p=/page_id= kept),
    percent-decoded, lower-case, without a trailing slash."""
    parts = urlsplit(url_or_path.strip())
    path = unquote(parts.path or "/").lower()
    path = path.rstrip("/") or "/"
    if parts.query and path == "/":
        return "/?" + parts.query.lower()
    return path


def inside(root: Path, relative: str) -> Path | None:
    """``root/relative`` if it is a file that stays inside ``root`` (no ``..`` or links
    leading out), else None."""
    return within(root, root / unquote(relative).lstrip("/"))


def within(root: Path, path: Path) -> Path | None:
    """``path`` if it is a file inside ``root`` once links and ``..`` are resolved."""
    try:
        base, candidate = root.resolve(), path.resolve()
    except (OSError, ValueError):
        return None
    if candidate.is_relative_to(base) and candidate.is_file():
        return candidate
    return None


def parse_time(text: str | None) -> datetime | None:
    """A time from an export or a page as naive UTC: ISO 8601 (``Z`` or an offset; none
    means UTC), ``2019-03-05 10:00:00``, or an RSS date; None when there is none."""
    text = (text or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1900 <= value.year <= 2999:
        return None
    return aware_to_utc(value)
