"""Writing a post: its slug, tags and rendering, and saving what the author entered."""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from slugify import slugify
from sqlalchemy import delete, func, select

from blog.content import RenderedPost, render_post, truncate
from blog.core.bounded import run_bounded
from blog.core.clock import utcnow
from blog.core.site import site_author
from blog.extensions import db
from blog.models import Author, Comment, Post, PostStatus, Revision, RevisionKind, SlugRedirect, Tag
from blog.posts.history import keep_current_text, newest_revision, record_save, unsaved_autosave
from blog.posts.images import media_for, shown_in
from blog.posts.publication import resolve_publication

SLUG_MAX = 80


def render_text(markdown: str, media: dict | None = None) -> RenderedPost:
    """A post's Markdown rendered in a child process within POST_RENDER_SECONDS, or
    TooComplex. With ``media`` (from media_for(), looked up beforehand) it touches no
    database, so the caller can render with no transaction, and no write lock, open."""
    media = media_for(markdown) if media is None else media
    seconds = float(current_app.config["POST_RENDER_SECONDS"])
    return run_bounded(render_post, markdown, media.get, seconds=seconds)


def apply_rendering(post: Post, rendered: RenderedPost | None = None) -> None:
    """Store the post's rendering (made here unless given): HTML, text, contents and
    reading time. Uploaded images get their srcset, sizes and dimensions from their Media
    rows on save, so a page view never looks them up; the images shown are recorded in
    post.media. Raises TooComplex when the text cannot be rendered within its budget.
    """
    with db.session.no_autoflush:  # a flush would hide the edit from mark_edited()
        rendered = rendered or render_text(post.body_md)
        post.media = shown_in(rendered.html)
    post.body_html = rendered.html
    post.body_text = rendered.text
    post.toc = [list(entry) for entry in rendered.toc]  # as JSON gives it back
    post.word_count = rendered.word_count
    post.reading_minutes = rendered.reading_minutes
    post.auto_excerpt = rendered.excerpt


def slug_for(text: str) -> str:
    return slugify(text, max_length=SLUG_MAX, word_boundary=True) or "post"


def has_address(text: str) -> bool:
    """Whether ``text`` has anything a slug can be made of (``slug_for`` falls back
    to "post" for text such as ".." or "—")."""
    return bool(slugify(text, max_length=SLUG_MAX, word_boundary=True))


def unique_slug(wanted: str, post_id: int | None = None) -> str:
    """``wanted`` made URL-safe, with -2, -3... added if another post or redirect has it."""
    base = slug_for(wanted)
    candidate, number = base, 1
    while _slug_taken(candidate, post_id):
        number += 1
        candidate = f"{base[: SLUG_MAX - 4]}-{number}"
    return candidate


def _slug_taken(slug: str, post_id: int | None) -> bool:
    owner = db.session.scalar(select(Post.id).where(Post.slug == slug))
    if owner is not None and owner != post_id:
        return True
    redirect = db.session.get(SlugRedirect, slug)
    return redirect is not None and redirect.post_id != post_id


def parse_tag_names(raw: str) -> list[str]:
    """Comma-separated tag names, trimmed, without duplicates (case-insensitive)."""
    names: dict[str, str] = {}
    for part in raw.split(","):
        name = truncate(part.strip(), 60)
        if name and slug_for(name) not in names:
            names[slug_for(name)] = name
    return list(names.values())


def set_tags(post: Post, raw: str) -> None:
    """Give the post exactly the tags named in ``raw``, creating new ones as needed."""
    tags = []
    for name in parse_tag_names(raw):
        slug = slug_for(name)
        tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        tags.append(tag)
    post.tags = tags


def tag_names(post: Post) -> str:
    return ", ".join(tag.name for tag in post.tags)


def existing_tag_names() -> list[str]:
    return list(db.session.scalars(select(Tag.name).order_by(func.lower(Tag.name))))


UNTITLED = "Untitled draft"


@dataclass
class PostInput:
    """What the author entered; ``published_at`` is wall-clock time in the site's zone."""

    title: str
    body: str
    slug: str = ""
    excerpt: str = ""
    tags: str = ""
    featured: bool = False
    status: str = PostStatus.DRAFT
    published_at: datetime | None = None
    meta_description: str = ""
    last_reviewed: date | None = None
    cover_media_id: int | None = None
    medical: bool = True
    audience: str = "patients"
    reviewer_id: int | None = None
    action: str = ""  # the button pressed: "publish", "schedule", "unpublish" or none


def save_post(post: Post, data: PostInput, rendered: RenderedPost | None = None) -> list[str]:
    """Apply the editor's fields to ``post`` (new or existing) and keep a revision.

    Raises PublicationError (before changing anything) when the status and date don't
    fit. Returns notes for the author, such as a slug that had to change.
    """
    publication = resolve_publication(data.status, data.published_at, data.action)
    keep_current_text(post)
    notes = _set_slug(post, data.slug.strip() or data.title)
    post.title = data.title.strip()
    post.body_md = data.body
    post.excerpt = data.excerpt.strip()
    post.meta_description = data.meta_description.strip()
    post.featured = data.featured
    post.status = publication.status
    post.published_at = publication.published_at
    post.last_reviewed = data.last_reviewed
    post.cover_media_id = data.cover_media_id
    post.medical = data.medical
    post.audience = data.audience
    post.reviewer_id = data.reviewer_id
    if post.sample:  # edited by the author: hers now, no longer sample content
        post.sample = False
        post.author = site_author()
        drop_sample_comments(post)
    apply_rendering(post, rendered)
    mark_edited(post)
    set_tags(post, data.tags)
    db.session.add(post)
    record_save(post)
    return notes


def drop_sample_comments(post: Post) -> None:
    """A sample's comments are fiction (readers and the sample profile's replies): they
    never go public on the author's own post."""
    if post.id is None:
        return
    db.session.execute(delete(Comment).where(Comment.post_id == post.id))
    post.comment_count = 0


def mark_edited(post: Post) -> None:
    """Date the author's change (feeds' <updated>, the sitemap, dateModified, the
    dashboard's order); a save that changes nothing, a view, a like or a comment never do."""
    if db.session.is_modified(post):
        post.updated_at = utcnow()


def _set_slug(post: Post, wanted: str) -> list[str]:
    """Give the post a unique slug; a published post's old slug keeps redirecting."""
    slug = unique_slug(wanted, post.id)
    old = post.slug
    if old == slug:
        return []
    if post.id is not None:
        db.session.execute(
            delete(SlugRedirect).where(
                SlugRedirect.post_id == post.id, SlugRedirect.old_slug == slug
            )
        )
        if old and post.published_at is not None:
            db.session.add(SlugRedirect(old_slug=old, post_id=post.id))
    post.slug = slug
    if slug != slug_for(wanted):
        return [f"The address “{slug_for(wanted)}” is taken, so this post uses “{slug}”."]
    return []


def create_draft(
    author: Author, title: str, body: str, rendered: RenderedPost | None = None
) -> Post:
    """A draft for the first autosave of a post never saved, so nothing typed is lost."""
    post = Post(
        author=author,
        title=title.strip() or UNTITLED,
        slug=unique_slug(title.strip() or UNTITLED),
        body_md=body,
        status=PostStatus.DRAFT,
        medical=True,
    )
    apply_rendering(post, rendered)
    db.session.add(post)
    return post


def restore(post: Post, revision: Revision) -> None:
    """Put a revision's text back as the post's text; the restore is itself a revision."""
    keep_current_text(post)
    post.title = revision.title
    post.body_md = revision.body_md
    apply_rendering(post)
    mark_edited(post)
    record_save(post, RevisionKind.RESTORE)


# -- Versions: no save from a stale page overwrites a newer one ---------------------


def version_of(post: Post) -> str:
    """What an editor page is based on: the time of the post's last change, a save or an
    autosave, in ISO 8601 with microseconds. Every save and autosave sends it back."""
    return _changed_at(post).isoformat(timespec="microseconds")


def _changed_at(post: Post) -> datetime:
    newest = newest_revision(post)
    if newest is not None and newest.kind == RevisionKind.AUTOSAVE:
        return max(newest.created_at, post.updated_at)
    return post.updated_at


def hold_for_saving(post_id: int) -> None:
    """Hold the post's row until this transaction ends, before its version is compared:
    two saves or autosaves of one post then check it one after the other, and the later
    gets a conflict instead of overwriting (PostgreSQL: SELECT ... FOR UPDATE; on SQLite
    BEGIN IMMEDIATE already holds the write lock and the clause is left out)."""
    db.session.execute(select(Post.id).where(Post.id == post_id).with_for_update())


@dataclass
class Conflict:
    """The post changed after the page was opened: the text there now, and its version."""

    title: str
    body: str
    changed_at: datetime
    autosaved: bool  # the newer text is another page's autosave, not a save
    version: str


def find_conflict(post: Post, base: str | None, title: str, body: str) -> Conflict | None:
    """The newer text a save or autosave based on ``base`` would overwrite, or None.

    No ``base`` (a client that doesn't send one) is not checked. A page's own autosave
    whose answer never reached it is no conflict: the newer text is the one it sends.
    """
    if base is None or post.id is None:
        return None
    current = version_of(post)
    if base == current:
        return None
    try:
        saved_since = post.updated_at > datetime.fromisoformat(base)
    except ValueError:
        saved_since = True
    autosaved = unsaved_autosave(post)
    if autosaved is not None:
        theirs = Conflict(autosaved.title, autosaved.body_md, autosaved.created_at, True, current)
    else:
        theirs = Conflict(post.title, post.body_md, post.updated_at, False, current)
    if not saved_since and (theirs.title, theirs.body) == (title, body):
        return None
    return theirs
