"""Post rules shared by the editor, the CLI and the sample content."""

from slugify import slugify
from sqlalchemy import func, select

from blog.content import render_post, truncate
from blog.extensions import db
from blog.images import media_lookup
from blog.models import Post, SlugRedirect, Tag

SLUG_MAX = 80


def apply_rendering(post: Post) -> None:
    """Render the post's Markdown into its stored HTML, text, contents and reading time.

    Uploaded images get their srcset, sizes and dimensions from their Media rows here, on
    save, so a page view never looks them up.
    """
    rendered = render_post(post.body_md, media_lookup)
    post.body_html = rendered.html
    post.body_text = rendered.text
    post.toc_json = rendered.toc_json
    post.word_count = rendered.word_count
    post.reading_minutes = rendered.reading_minutes
    post.auto_excerpt = rendered.excerpt


def slug_for(text: str) -> str:
    return slugify(text, max_length=SLUG_MAX, word_boundary=True) or "post"


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
