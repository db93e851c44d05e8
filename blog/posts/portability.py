"""Export the whole blog to a zip, and import posts from Markdown with front matter.

An export holds ``posts/<slug>.md`` (front matter and the Markdown source), ``media/``
(the uploaded files) and ``data.json`` (every table a person would want back: posts,
tags, comments, settings and the author profile; no password hashes or reader IP hashes).
"""

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import frontmatter
import yaml
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blog.core.bounded import TooComplex
from blog.core.clock import as_utc, aware_to_utc, utcnow
from blog.extensions import db
from blog.models import Author, Comment, Post, PostStatus, Reviewer, Settings
from blog.posts.reviews import NewReviewer, add_colleague, author_as_reviewer
from blog.posts.writing import apply_rendering, render_text, set_tags, slug_for

FRONT_MATTER_FIELDS = (
    "title", "slug", "status", "published_at", "tags", "featured", "excerpt",
    "meta_description", "last_reviewed", "reviewed_by", "medical", "audience",
)  # fmt: skip
PRIVATE_COLUMNS = {"password_hash", "totp_secret", "totp_last_step", "ip_hash", "browser_hash"}
EXPORT_BATCH = 200


def reviewer_text(post: Post) -> str:
    """The reviewer as one line, "Dr. Sam Lee, MD" (front matter's reviewed_by)."""
    if post.reviewer is None:
        return ""
    shown = post.reviewer.shown
    return ", ".join(filter(None, [shown.name, shown.credentials]))


def post_to_markdown(post: Post) -> str:
    """The post as Markdown with YAML front matter (the import format), quoted as needed."""
    fields = {name: getattr(post, name, None) for name in FRONT_MATTER_FIELDS}
    fields["tags"] = [tag.name for tag in post.tags]
    fields["reviewed_by"] = reviewer_text(post)
    if post.published_at is not None:
        fields["published_at"] = as_utc(post.published_at)
    document = frontmatter.Post(post.body_md.strip(), **fields)
    # Field order as above, and each value on one line however long.
    return frontmatter.dumps(document, sort_keys=False, width=1_000_000) + "\n"


def _row(item) -> dict:
    """A row as JSON values, without the private columns."""
    row = {}
    for column in item.__table__.columns:
        if column.key not in PRIVATE_COLUMNS:
            value = getattr(item, column.key)
            row[column.key] = value.isoformat() if isinstance(value, datetime | date) else value
    return row


def _rows(model) -> list[dict]:
    return [_row(item) for item in db.session.scalars(select(model).order_by(model.id))]


def export_zip(target) -> None:
    """Write the whole blog as a zip to ``target`` (a path or a binary file), entry by entry,
    never the whole zip in memory: posts are read EXPORT_BATCH at a time, media copied in chunks."""
    posts = select(Post).order_by(Post.id).options(selectinload(Post.tags))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        rows = []
        for post in db.session.scalars(posts.execution_options(yield_per=EXPORT_BATCH)):
            archive.writestr(f"posts/{post.slug}.md", post_to_markdown(post))
            rows.append({**_row(post), "tags": [tag.name for tag in post.tags]})
        data = {
            "exported_at": utcnow().isoformat(),
            "authors": _rows(Author),
            "reviewers": _rows(Reviewer),
            "posts": rows,
            "comments": _rows(Comment),
            "settings": _rows(Settings),
        }
        with io.TextIOWrapper(archive.open("data.json", "w"), encoding="utf-8") as entry:
            json.dump(data, entry, indent=2, ensure_ascii=False)
        media = Path(current_app.config["MEDIA_DIR"])
        if media.is_dir():
            for path in sorted(media.iterdir()):
                if path.is_file():
                    archive.write(path, f"media/{path.name}")


def _text(value) -> str:
    """A front-matter value as text: YAML may have read a number, a list or nothing."""
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    return "" if value is None else str(value).strip()


def _flag(value, default: bool) -> bool:
    return default if value is None else _text(value).lower() in ("true", "yes", "on", "1")


def _moment(value) -> datetime | None:
    """A time in UTC (naive), from a YAML timestamp or date or an ISO 8601 string."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(_text(value))
        except ValueError:
            return None
    return aware_to_utc(value)


def _day(value) -> date | None:
    moment = _moment(value)
    return moment.date() if moment else None


def import_markdown(text: str, author: Author) -> tuple[Post | None, str]:
    """Create a post from Markdown with front matter; (post, message) or (None, reason)."""
    try:
        document = frontmatter.loads(text)
    except yaml.MarkedYAMLError as error:
        where = f"line {error.problem_mark.line + 1}: " if error.problem_mark else ""
        return None, f"the front matter is not valid YAML ({where}{error.problem})"
    except (yaml.YAMLError, ValueError) as error:  # a date that does not exist, say
        return None, f"the front matter is not valid YAML ({error})"
    meta, body = document.metadata, document.content
    title = _text(meta.get("title"))
    if not title:
        return None, "no title in the front matter"
    slug = slug_for(_text(meta.get("slug")) or title)
    if db.session.scalar(select(Post.id).where(Post.slug == slug)) is not None:
        return None, f"a post with the slug {slug!r} already exists"
    status = _text(meta.get("status"))
    if status not in tuple(PostStatus):
        status = PostStatus.DRAFT
    published_at = _moment(meta.get("published_at"))
    if status != PostStatus.DRAFT and published_at is None:
        published_at = utcnow()
    try:
        rendered = render_text(body)
    except TooComplex:
        return None, "too intricate to render in time; simplify it and import it again"
    post = Post(
        author=author,
        title=title[:200],
        slug=slug,
        body_md=body,
        status=status,
        published_at=published_at,
        featured=_flag(meta.get("featured"), False),
        excerpt=_text(meta.get("excerpt")),
        meta_description=_text(meta.get("meta_description"))[:300],
        last_reviewed=_day(meta.get("last_reviewed")),
        reviewer=_reviewer(_text(meta.get("reviewed_by")), author),
        medical=_flag(meta.get("medical"), True),
        audience="clinicians" if meta.get("audience") == "clinicians" else "patients",
    )
    apply_rendering(post, rendered)
    db.session.add(post)
    set_tags(post, _text(meta.get("tags")))
    return post, f"imported {slug}"


def _reviewer(text: str, author: Author) -> Reviewer | None:
    """The reviewer a front matter's "Name, credentials" names: the importing author when it
    is her name, else a colleague (one made if new)."""
    name, _, credentials = text.partition(",")
    if not name.strip():
        return None
    if name.strip() == author.name:
        return author_as_reviewer(author)
    return add_colleague(NewReviewer(name.strip()[:120], credentials.strip()[:160]))


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
