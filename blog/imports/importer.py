"""Moving a blog in, in one run: read the source, download its images, then write.

Everything that can refuse a source (a broken or hostile file, a private address, a
file too large) happens while reading and downloading, before the first write, so a
refused import changes nothing. The writes come last: images through the upload
pipeline, then each post in its own short transaction. Running it again updates what
changed and adds what is new; a dry run stops before writing and says what it would do.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from flask import current_app

from blog.imports import ghost, wix, wordpress
from blog.imports.convert import prepare
from blog.imports.fetching import Fetcher
from blog.imports.files import Opened, open_source
from blog.imports.items import find_item
from blog.imports.pictures import Pictures
from blog.imports.progress import Progress
from blog.imports.sources import ImageRef, Source, SourcePost
from blog.imports.writer import Planned, Writer
from blog.models import Author, ImportKind, PostStatus

MB = 1024 * 1024
KINDS = {"wix-site": "Wix", "wix-folder": "Wix", "wordpress": "WordPress", "ghost": "Ghost"}


@dataclass
class Options:
    dry_run: bool = False
    allow_private: bool = False
    wordpress_uploads: Path | None = None
    ghost_images: Path | None = None
    pages_as: str = "about"  # or "posts"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


@dataclass
class Report:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    comments: int = 0
    images: int = 0
    redirects: int = 0
    warnings: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = (
            f"{plural(self.created + self.updated, 'post')}, {plural(self.comments, 'comment')}, "
            f"{plural(self.images, 'image')}"
        )
        if self.unchanged:
            counts += f" ({self.unchanged:,} unchanged)"
        warned = plural(len(self.warnings), "warning")
        if self.dry_run:
            return f"Dry run: would import {counts}; {warned}. Nothing was written."
        return f"Imported {counts}; {warned}."


def read_source(opened: Opened, fetcher: Fetcher, progress: Progress) -> Source:
    if opened.kind == "wordpress":
        return wordpress.read(Path(opened.location), opened.uploads)
    if opened.kind == "ghost":
        return ghost.read(Path(opened.location), opened.images)
    if opened.kind == "wix-folder":
        return wix.read_folder(Path(opened.location))
    started = []

    def step(number: int, total: int, url: str) -> None:
        if not started:
            progress.stage("Reading the posts", total)
            started.append(True)
        progress.step(url)

    return wix.read_site(opened.location, fetcher, step)


def choose_pages(source: Source, pages_as: str) -> tuple[list[SourcePost], SourcePost | None]:
    """The posts to import and the page that becomes the About page (pages as posts, or
    one About page: the page named "about", or the only one)."""
    if pages_as == "posts":
        return source.posts, None
    posts = [post for post in source.posts if post.kind == "post"]
    pages = [p for p in source.posts if p.kind == "page" and p.status != PostStatus.DRAFT]
    about = next((p for p in pages if "about" in f"{p.slug} {p.title}".lower()), None)
    if about is None and len(pages) == 1:
        about = pages[0]
    for page in pages:
        if page is not about:
            source.warnings.append(
                f"The page “{page.title}” was left out: one page becomes the About page "
                "(--pages-as posts imports every page as a post)."
            )
    return posts, about


def run_import(location: str, author: Author, options: Options, progress: Progress) -> Report:
    """Import ``location`` (an address, a file or a folder) for ``author``. Raises
    ImportRefused, before writing anything, for a source that cannot be read safely."""
    config = current_app.config
    max_bytes = int(float(config["IMPORT_MAX_MB"]) * MB)
    image_bytes = int(float(config["MAX_UPLOAD_MB"]) * MB)
    max_pixels = int(config["MAX_IMAGE_PIXELS"])
    fetcher = Fetcher(options.allow_private, float(config["IMPORT_TIMEOUT"]))
    report = Report(dry_run=options.dry_run)
    with tempfile.TemporaryDirectory(prefix="rounds-import-") as work:
        opened = open_source(
            location, Path(work), max_bytes, options.wordpress_uploads, options.ghost_images
        )
        progress.stage(f"Reading the {KINDS[opened.kind]} {_what(opened)}")
        source = read_source(opened, fetcher, progress)
        posts, about = choose_pages(source, options.pages_as)
        pictures = Pictures(source, Path(work))
        for post in [*posts, *([about] if about else [])]:
            for image in prepare(post.html, post.base_url, source.original_image).images:
                pictures.add(image)
            if post.cover_url:
                url = source.original_image(urljoin(post.base_url, post.cover_url))
                pictures.add(ImageRef(url=url, alt=post.cover_alt))
        for attachment in source.attachments:
            pictures.add(attachment)
        pictures.find_imported()
        waiting = sum(1 for picture in pictures.by_url.values() if picture.media is None)
        progress.stage("Downloading images", waiting)
        pictures.fetch(fetcher, image_bytes, progress.step)
        writer = Writer(source, pictures, author, options.dry_run)
        planned = writer.plan(posts, about)
        if options.dry_run:
            pictures.check(max_pixels)
            _dry_run(writer, planned, about, pictures, report)
        else:
            progress.stage("Saving images", waiting)
            report.images = pictures.store(config["MEDIA_DIR"], max_pixels, progress.step)
            progress.stage("Saving posts", len(planned))
            for entry in planned:
                _write(writer, entry, report, progress)
            if about is not None:
                _write_about(writer, about, report)
        report.comments = report.comments or writer.counts.comments
        report.redirects = writer.counts.redirects
        report.warnings = [
            *source.warnings,
            *writer.warnings,
            *writer.notes,
            *(f"Image left out: {p.problem}" for p in pictures.by_url.values() if p.problem),
        ]
    for warning in report.warnings:
        progress.warn(warning)
    return report


def _what(opened: Opened) -> str:
    return {"wix-site": "site", "wix-folder": "saved pages"}.get(opened.kind, "export")


def _describe(entry: Planned) -> str:
    post = entry.source
    parts = [post.status if post.status != PostStatus.PUBLISHED else "published"]
    if post.tags:
        parts.append(plural(len(post.tags), "tag"))
    if entry.images:
        parts.append(plural(entry.images, "image"))
    if post.comments:
        parts.append(plural(len(post.comments), "comment"))
    return f"“{post.title}” at /post/{entry.slug} ({', '.join(parts)})"


def _dry_run(writer: Writer, planned: list[Planned], about, pictures: Pictures, report) -> None:
    verbs = {"create": "New post", "update": "Updated post", "unchanged": "Unchanged"}
    for entry in planned:
        writer.prepare_post(entry)
        _count(entry, report)
        if entry.action in verbs:
            report.lines.append(f"{verbs[entry.action]}: {_describe(entry)}")
        _explain(writer, entry)
        report.comments += sum(
            1
            for comment in entry.source.comments
            if find_item(writer.source.key, ImportKind.COMMENT, comment.original_id) is None
        )
    if about is not None:
        action, _, _ = writer.about_action(about)
        report.lines.append(_about_line(action, about))
        _about_warning(writer, action, about)
    report.images = sum(1 for p in pictures.by_url.values() if p.staged and not p.problem)
    report.lines.append(f"New images for the media library: {report.images:,}")


def _count(entry: Planned, report: Report) -> None:
    if entry.action == "create":
        report.created += 1
    elif entry.action == "update":
        report.updated += 1
    elif entry.action == "unchanged":
        report.unchanged += 1


def _explain(writer: Writer, entry: Planned) -> None:
    if entry.action == "skip":
        writer.warnings.append(f"“{entry.source.title}” was not imported: {entry.reason}.")
    elif entry.action == "kept":
        writer.warnings.append(
            f"“{entry.source.title}” changed on the old site but was also edited here since "
            "it was imported: your version is kept."
        )


def _write(writer: Writer, entry: Planned, report: Report, progress: Progress) -> None:
    progress.step(entry.source.title)
    writer.prepare_post(entry)
    if entry.action != "skip":
        writer.write_post(entry)
    _count(entry, report)
    _explain(writer, entry)
    verbs = {"create": "Created", "update": "Updated", "unchanged": "Unchanged"}
    if entry.action in verbs:
        line = f"{verbs[entry.action]}: {_describe(entry)}"
        report.lines.append(line)
        progress.line(line)


def _about_line(action: str, about: SourcePost) -> str:
    verbs = {"create": "About page from", "update": "About page updated from"}
    if action in verbs:
        return f"{verbs[action]} “{about.title}”"
    return f"About page: unchanged (“{about.title}”)"


def _about_warning(writer: Writer, action: str, about: SourcePost) -> None:
    if action == "kept":
        writer.warnings.append(
            f"Your About page already has your own text, so the page “{about.title}” was "
            "not put there (--pages-as posts imports it as a post)."
        )


def _write_about(writer: Writer, about: SourcePost, report: Report) -> None:
    action, text, stamp = writer.about_action(about)
    _about_warning(writer, action, about)
    if action in ("create", "update") and writer.write_about(about, text, stamp):
        report.lines.append(_about_line(action, about))
