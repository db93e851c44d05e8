"""Export the whole blog to a zip, and import posts from Markdown with front matter.

An export holds ``posts/<slug>.md`` (front matter and the Markdown source), ``media/``
(the uploaded files) and ``data.json`` (every table a person would want back: posts,
tags, comments, settings and the author profile; no password hashes or reader IP hashes).
"""

import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Comment, Post, PostStatus, Settings
from blog.posts.samples import parse_front_matter
from blog.posts.writing import apply_rendering, set_tags, slug_for, tag_names

FRONT_MATTER_FIELDS = (
    "title", "slug", "status", "published_at", "tags", "featured", "excerpt",
    "meta_description", "last_reviewed", "reviewed_by", "medical", "audience",
)  # fmt: skip
PRIVATE_COLUMNS = {"password_hash", "session_version", "ip_hash", "browser_hash"}


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value or "").split())


def post_to_markdown(post: Post) -> str:
    """The post as Markdown with ``key: value`` front matter (the import format)."""
    fields = {name: getattr(post, name, "") for name in FRONT_MATTER_FIELDS}
    fields["tags"] = tag_names(post)
    head = "\n".join(f"{key}: {_value(value)}" for key, value in fields.items())
    return f"---\n{head}\n---\n\n{post.body_md.strip()}\n"


def _rows(model) -> list[dict]:
    rows = []
    for item in db.session.scalars(select(model)):
        row = {}
        for column in model.__table__.columns:
            if column.key in PRIVATE_COLUMNS:
                continue
            value = getattr(item, column.key)
            row[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
        rows.append(row)
    return rows


def export_zip() -> bytes:
    """The whole blog as zip bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        posts = db.session.scalars(select(Post).order_by(Post.id)).all()
        for post in posts:
            archive.writestr(f"posts/{post.slug}.md", post_to_markdown(post))
        data = {
            "exported_at": utcnow().isoformat(),
            "authors": _rows(Author),
            "posts": [
                {**row, "tags": [tag.name for tag in post.tags]}
                for row, post in zip(_rows(Post), posts, strict=True)
            ],
            "comments": _rows(Comment),
            "settings": _rows(Settings),
        }
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        media = Path(current_app.config["MEDIA_DIR"])
        if media.is_dir():
            for path in sorted(media.iterdir()):
                if path.is_file():
                    archive.write(path, f"media/{path.name}")
    return buffer.getvalue()


def _parse_datetime(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def import_markdown(text: str, author: Author) -> tuple[Post | None, str]:
    """Create a post from Markdown with front matter; (post, message) or (None, reason)."""
    meta, body = parse_front_matter(text)
    title = meta.get("title", "").strip()
    if not title:
        return None, "no title in the front matter"
    slug = slug_for(meta.get("slug") or title)
    if db.session.scalar(select(Post.id).where(Post.slug == slug)) is not None:
        return None, f"a post with the slug {slug!r} already exists"
    status = meta.get("status", PostStatus.DRAFT)
    if status not in PostStatus.ALL:
        status = PostStatus.DRAFT
    published_at = _parse_datetime(meta.get("published_at", ""))
    if status != PostStatus.DRAFT and published_at is None:
        published_at = utcnow()
    post = Post(
        author=author,
        title=title[:200],
        slug=slug,
        body_md=body,
        status=status,
        published_at=published_at,
        featured=meta.get("featured", "").lower() in ("yes", "true", "1"),
        excerpt=meta.get("excerpt", ""),
        meta_description=meta.get("meta_description", "")[:300],
        last_reviewed=_parse_date(meta.get("last_reviewed", "")),
        reviewed_by=meta.get("reviewed_by", "")[:160],
        medical=meta.get("medical", "yes").lower() in ("yes", "true", "1"),
        audience="clinicians" if meta.get("audience") == "clinicians" else "patients",
    )
    db.session.add(post)
    apply_rendering(post)
    set_tags(post, meta.get("tags", ""))
    return post, f"imported {slug}"


def markdown_sources(path: Path) -> list[tuple[str, str]]:
    """(name, text) for each Markdown file in a file, a folder or an export zip."""
    if path.is_dir():
        return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(path.rglob("*.md"))]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [
                (name, archive.read(name).decode("utf-8"))
                for name in sorted(archive.namelist())
                if name.endswith(".md") and not name.startswith(("/", ".."))
            ]
    return [(path.name, path.read_text(encoding="utf-8"))]
