"""Saving a post from the editor: slug, tags, status and date, rendering and history."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete

from blog.extensions import db
from blog.models import Author, Post, PostStatus, SlugRedirect
from blog.posts import apply_rendering, set_tags, slug_for, unique_slug
from blog.publishing import resolve_publication
from blog.revisions import keep_current_text, record_save

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
    reviewed_by: str = ""


def save_post(post: Post, data: PostInput) -> list[str]:
    """Apply the editor's fields to ``post`` (new or existing) and keep a revision.

    Raises PublicationError (before changing anything) when the status and date don't
    fit. Returns notes for the author, such as a slug that had to change.
    """
    publication = resolve_publication(data.status, data.published_at)
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
    post.reviewed_by = data.reviewed_by.strip()
    post.sample = False  # edited by the author: theirs now, not sample content
    apply_rendering(post)
    set_tags(post, data.tags)
    db.session.add(post)
    record_save(post)
    return notes


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


def create_draft(author: Author, title: str, body: str) -> Post:
    """A draft for the first autosave of a post never saved, so nothing typed is lost."""
    post = Post(
        author=author,
        title=title.strip() or UNTITLED,
        slug=unique_slug(title.strip() or UNTITLED),
        body_md=body,
        status=PostStatus.DRAFT,
        medical=True,
    )
    apply_rendering(post)
    db.session.add(post)
    return post
