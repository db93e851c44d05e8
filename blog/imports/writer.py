"""Writing an import: each post with its tags, comments and old addresses in one short
write transaction (rendered beforehand, so the write lock is never held while Markdown
runs), the About page, and the import items that make a second run update instead of
duplicate.

A post the author has edited here since it was imported is left as she made it; a
post, page or comment whose source has not changed is not touched at all.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from flask import current_app
from sqlalchemy import select

from blog.comments.counts import refresh_comment_count
from blog.comments.moderation import render_body
from blog.content import RenderedPost, truncate
from blog.core.bounded import TooComplex
from blog.core.clock import utcnow
from blog.core.database import begin_write
from blog.extensions import db
from blog.imports.convert import prepare, to_markdown
from blog.imports.items import find_item, item_for
from blog.imports.pictures import Pictures
from blog.imports.sources import Source, SourceComment, SourcePost, old_path
from blog.models import (
    Author,
    Comment,
    CommentStatus,
    ImportItem,
    ImportKind,
    PathRedirect,
    Post,
    PostStatus,
    Settings,
    SlugRedirect,
)
from blog.posts.history import keep_current_text, record_save
from blog.posts.samples import sample_about
from blog.posts.writing import apply_rendering, render_text, set_tags, slug_for, unique_slug

ABOUT = "/about"


def digest(*parts) -> str:
    text = json.dumps(parts, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Planned:
    """A source post and what the import will make of it."""

    source: SourcePost
    slug: str
    item: ImportItem | None = None
    post: Post | None = None
    markdown: str = ""
    digest: str = ""
    action: str = ""  # "create", "update", "unchanged", "kept" (edited here), "skip"
    reason: str = ""
    images: int = 0


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    comments: int = 0
    redirects: int = 0


class Writer:
    def __init__(self, source: Source, pictures: Pictures, author: Author, dry_run: bool):
        self.source = source
        self.pictures = pictures
        self.author = author
        self.dry_run = dry_run
        self.counts = Counts()
        self.warnings: list[str] = []
        # What conversion left out, once each however often a post is converted.
        self.notes: dict[str, None] = {}
        self.links: dict[str, str] = {}

    # -- Planning ------------------------------------------------------------------------

    def plan(self, posts: list[SourcePost], about: SourcePost | None) -> list[Planned]:
        """Decide each post's address (kept where free) and collect the links between
        posts, so that a link to an old address points at the new one."""
        planned, reserved = [], set()
        for post in posts:
            item = find_item(self.source.key, ImportKind.POST, post.original_id)
            existing = db.session.get(Post, item.post_id) if item and item.post_id else None
            if existing is not None:
                slug = existing.slug
            else:
                wanted = post.old_slug or post.slug
                slug = _free_slug(wanted, reserved)
                if slug != slug_for(wanted):
                    self.warnings.append(
                        f"“{post.title}”: /post/{slug_for(wanted)} is taken here by another "
                        f"post, so this one is at /post/{slug}."
                    )
            reserved.add(slug)
            planned.append(Planned(source=post, slug=slug, item=item, post=existing))
            for path in [*post.old_paths, f"/post/{post.old_slug or post.slug}"]:
                self.links.setdefault(old_path(path), f"/post/{slug}")
        if about is not None:
            for path in about.old_paths:
                self.links.setdefault(old_path(path), ABOUT)
        return planned

    def link_path(self, url: str) -> str | None:
        host = (urlsplit(url).hostname or "").lower()
        if host and host not in self.source.hosts:
            return None
        return self.links.get(old_path(url))

    def markdown_of(self, post: SourcePost) -> tuple[str, int]:
        prepared = prepare(post.html, post.base_url, self.source.original_image)
        text = to_markdown(
            prepared, lambda url: self.pictures.path(url, self.dry_run), self.link_path
        )
        shown = sum(1 for image in prepared.images if self.pictures.path(image.url, self.dry_run))
        for note in prepared.notes:
            self.notes.setdefault(f"“{post.title}”: {note}.", None)
        return text, shown

    def cover_url(self, post: SourcePost) -> str | None:
        if not post.cover_url:
            return None
        return self.source.original_image(urljoin(post.base_url, post.cover_url))

    # -- Posts -----------------------------------------------------------------------------

    def prepare_post(self, planned: Planned) -> None:
        """The Markdown, the digest and what to do with it (reads only)."""
        post = planned.source
        planned.markdown, planned.images = self.markdown_of(post)
        limit = int(current_app.config["MAX_POST_KB"]) * 1024
        if len(planned.markdown) > limit:
            planned.action, planned.reason = "skip", f"its text is longer than {limit:,} characters"
            return
        cover = self.pictures.media(self.cover_url(post))
        planned.digest = digest(
            post.title, planned.markdown, post.status, post.published_at, post.tags,
            post.excerpt, post.meta_description, post.featured, cover.name if cover else None,
        )  # fmt: skip
        existing = planned.post
        if existing is None:
            planned.action = "create"
        elif existing.deleted_at is not None:
            planned.action, planned.reason = "skip", "it is in the trash here"
        elif planned.item.digest == planned.digest:
            planned.action = "unchanged"
        elif text_hash(existing.title, existing.body_md) != planned.item.written:
            planned.action = "kept"
        else:
            planned.action = "update"

    def write_post(self, planned: Planned) -> Post | None:
        """Render, then write the post, its tags, old addresses and comments."""
        post = planned.source
        if planned.action in ("create", "update"):
            try:
                rendered = render_text(planned.markdown)
            except TooComplex:
                planned.action, planned.reason = "skip", "too intricate to render in time"
                return None
        comments = self._rendered_comments(planned)
        begin_write()
        if planned.action == "create":
            target = self._create(planned, rendered)
        else:
            target = db.session.get(Post, planned.post.id)
            if planned.action == "update":
                self._update(target, planned, rendered)
        self._redirect(target, post)
        self._write_comments(target, post, comments)
        db.session.commit()
        return target

    def _create(self, planned: Planned, rendered: RenderedPost) -> Post:
        post = planned.source
        status, published_at = _publication(post)
        target = Post(
            author=self.author,
            title=truncate(post.title, 200),
            slug=planned.slug,
            body_md=planned.markdown,
            status=status,
            published_at=published_at,
            featured=post.featured,
            excerpt=post.excerpt,
            meta_description=truncate(post.meta_description, 300),
            medical=True,
            view_count=post.view_count,
            cover_media_id=_id(self.pictures.media(self.cover_url(post))),
            created_at=published_at or utcnow(),
            updated_at=post.updated_at or published_at or utcnow(),
        )
        apply_rendering(target, rendered)
        db.session.add(target)
        set_tags(target, _tag_list(post.tags))
        db.session.flush()
        item = item_for(self.source.key, ImportKind.POST, post.original_id)
        item.post_id, item.digest = target.id, planned.digest
        item.written = text_hash(target.title, target.body_md)
        self.counts.created += 1
        return target

    def _update(self, target: Post, planned: Planned, rendered: RenderedPost) -> None:
        post = planned.source
        status, published_at = _publication(post)
        keep_current_text(target)
        target.title = truncate(post.title, 200)
        target.body_md = planned.markdown
        target.status, target.published_at = status, published_at
        target.featured = post.featured
        target.excerpt = post.excerpt
        target.meta_description = truncate(post.meta_description, 300)
        target.cover_media_id = _id(self.pictures.media(self.cover_url(post)))
        target.updated_at = post.updated_at or utcnow()
        apply_rendering(target, rendered)
        set_tags(target, _tag_list(post.tags))
        record_save(target)
        item = db.session.get(ImportItem, planned.item.id)
        item.digest = planned.digest
        item.written = text_hash(target.title, target.body_md)
        item.updated_at = utcnow()
        self.counts.updated += 1

    def _redirect(self, target: Post, post: SourcePost) -> None:
        """The post's old addresses answer with a 301 to it (kept if already taken)."""
        if target.published_at is None:
            return
        for path in post.old_paths:
            self._path_redirect(old_path(path), target.id, "", post.title)
        old = post.old_slug
        if old and old != target.slug:
            owner = db.session.scalar(select(Post.id).where(Post.slug == old))
            moved = db.session.get(SlugRedirect, old)
            if owner is None and moved is None:
                db.session.add(SlugRedirect(old_slug=old, post_id=target.id))
                self.counts.redirects += 1
            elif owner is None and moved.post_id != target.id:
                self.warnings.append(
                    f"“{post.title}”: /post/{old} already leads to another post here, so "
                    "the old address does not lead to this one."
                )

    def _path_redirect(self, path: str, post_id: int | None, target: str, title: str) -> None:
        if path in ("/", "", target):
            return
        existing = db.session.get(PathRedirect, path)
        if existing is None:
            db.session.add(PathRedirect(path=path, post_id=post_id, target=target))
            self.counts.redirects += 1
        elif (existing.post_id, existing.target) != (post_id, target):
            self.warnings.append(
                f"“{title}”: the old address {path} already leads elsewhere here; kept."
            )

    # -- Comments ------------------------------------------------------------------------------

    def _rendered_comments(self, planned: Planned) -> list[tuple[SourceComment, str, str, str]]:
        """(comment, Markdown, HTML, digest) for each comment to create or update,
        rendered outside any write transaction; comments that did not change are left."""
        result = []
        for comment in planned.source.comments:
            text = comment_markdown(comment.html)
            if not text.strip():
                continue
            stamp = digest(comment.name, comment.email, text, comment.created_at)
            item = find_item(self.source.key, ImportKind.COMMENT, comment.original_id)
            if item is not None and item.digest == stamp and item.comment_id is not None:
                continue
            try:
                html = render_body(text)
            except TooComplex:
                self.warnings.append(
                    f"A comment by {comment.name} on “{planned.source.title}” was too intricate "
                    "to render; left out."
                )
                continue
            result.append((comment, text, html, stamp))
        return result

    def _write_comments(self, target: Post, post: SourcePost, rendered: list) -> None:
        roots = thread_roots(post.comments)
        ordered = sorted(rendered, key=lambda entry: roots[entry[0].original_id] is not None)
        for comment, text, html, stamp in ordered:
            item = find_item(self.source.key, ImportKind.COMMENT, comment.original_id)
            root = roots[comment.original_id]
            parent = find_item(self.source.key, ImportKind.COMMENT, root) if root else None
            row = db.session.get(Comment, item.comment_id) if item and item.comment_id else None
            if row is None:
                row = Comment(post_id=target.id, status=CommentStatus.APPROVED)
                self.counts.comments += 1
            row.parent_id = parent.comment_id if parent is not None else None
            row.author_name = one_line(comment.name)[:80] or "Reader"
            row.email = _email(comment.email)
            row.body_md, row.body_html = text, html
            row.is_author = comment.by_author
            row.created_at = comment.created_at or target.published_at or utcnow()
            db.session.add(row)
            db.session.flush()
            item = item_for(self.source.key, ImportKind.COMMENT, comment.original_id)
            item.comment_id, item.post_id, item.digest = row.id, target.id, stamp
            db.session.flush()
        if rendered:
            refresh_comment_count(target.id)

    # -- The About page ------------------------------------------------------------------------

    def about_action(self, page: SourcePost) -> tuple[str, str, str]:
        """(action, Markdown, digest) for the page that becomes the About page."""
        text, _ = self.markdown_of(page)
        stamp = digest(text)
        item = find_item(self.source.key, ImportKind.PAGE, page.original_id)
        current = Settings.current().about_md
        if item is not None and item.digest == stamp:
            return "unchanged", text, stamp
        if item is not None and text_hash("", current) != item.written:
            return "kept", text, stamp
        if item is None and current.strip() and current != sample_about():
            return "kept", text, stamp
        return ("update" if item else "create"), text, stamp

    def write_about(self, page: SourcePost, text: str, stamp: str) -> bool:
        try:
            rendered = render_text(text)
        except TooComplex:
            self.warnings.append(f"“{page.title}” was too intricate to render; not imported.")
            return False
        begin_write()
        settings = Settings.current()
        db.session.add(settings)
        settings.about_md, settings.about_html = text, rendered.html
        item = item_for(self.source.key, ImportKind.PAGE, page.original_id)
        item.digest, item.written = stamp, text_hash("", text)
        for path in page.old_paths:
            self._path_redirect(old_path(path), None, ABOUT, page.title)
        db.session.commit()
        return True


def text_hash(title: str, body: str) -> str:
    return digest(title, body)


def comment_markdown(html: str) -> str:
    """A comment's HTML as the Markdown a reader would have typed (no images)."""
    return to_markdown(prepare(html, "", lambda url: url), lambda url: None)


def thread_roots(comments: list[SourceComment]) -> dict[str, str | None]:
    """Each comment's top-level ancestor among the imported ones (threads here go one
    level deep), or None for a top-level comment."""
    parents = {comment.original_id: comment.parent_id for comment in comments}
    roots: dict[str, str | None] = {}
    for comment in comments:
        current, seen = comment.original_id, {comment.original_id}
        while parents.get(current) in parents and parents[current] not in seen:
            current = parents[current]
            seen.add(current)
        roots[comment.original_id] = None if current == comment.original_id else current
    return roots


def one_line(text: str) -> str:
    """A name as one line of text: control characters out, spaces collapsed."""
    cleaned = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text or "")
    return " ".join(cleaned.split())


def _email(value: str | None) -> str | None:
    value = (value or "").strip().lower()
    return value if "@" in value and len(value) <= 254 else None


def _id(media) -> int | None:
    return media.id if media is not None else None


def _tag_list(tags: list[str]) -> str:
    return ", ".join(" ".join(name.replace(",", " ").split()) for name in tags)


def _publication(post: SourcePost) -> tuple[str, datetime | None]:
    """The status and date here: a scheduled time already past is published; a
    published post without a date is dated now."""
    if post.status == PostStatus.DRAFT:
        return PostStatus.DRAFT, None
    when = post.published_at
    if post.status == PostStatus.SCHEDULED:
        if when is None:
            return PostStatus.DRAFT, None
        if when > utcnow():
            return PostStatus.SCHEDULED, when
    return PostStatus.PUBLISHED, when or utcnow().replace(microsecond=0)


def _free_slug(wanted: str, reserved: set[str]) -> str:
    """The slug ``wanted`` asks for, or the first free -2, -3... (free here and not
    already given to another post of this import)."""
    base = slug_for(wanted)
    number = 1
    while True:
        candidate = unique_slug(base if number == 1 else f"{base[:76]}-{number}")
        if candidate not in reserved:
            return candidate
        number += 1
