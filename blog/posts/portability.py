"""Export the whole site to a zip and bring it back; import posts from Markdown files.

An export (``flask export``, ``/admin/export``) holds:

- ``posts/<slug>.md``: each post as Markdown with YAML front matter, for people (and for
  ``flask import`` into any site, one post at a time);
- ``tables/<table>.jsonl``: every row of every table, one JSON object a line, for a site
  move: posts with all their fields, tags, revisions, old slugs, comments with their
  threads and statuses, likes, views per day, media rows, settings and the author's
  profile;
- ``media/``: the uploaded files;
- ``data.json``: the format, the time, the schema revision and each table's row count.

A site move leaves behind the secrets (the author's password hash, two-step secret and
recovery codes, signed-in sessions, failed sign-ins) and what only meant something on the
old server (readers' IP hashes, the day's view receipts). The new site's author makes her
account there first (``/setup`` or ``flask create-author``); ``import_site`` then gives
that account the exported profile and every post, into a site that is otherwise empty.
"""

import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path

import frontmatter
import yaml
from flask import current_app
from sqlalchemy import Column, Date, DateTime, Table, delete, select, text
from sqlalchemy.orm import selectinload

from blog.core.bounded import TooComplex
from blog.core.clock import as_utc, aware_to_utc, utcnow
from blog.extensions import db
from blog.models import Author, Post, PostStatus, Reviewer
from blog.posts.images import is_media_file_name, write_media_file
from blog.posts.reviews import NewReviewer, add_colleague, author_as_reviewer
from blog.posts.writing import apply_rendering, render_text, set_tags, slug_for

FRONT_MATTER_FIELDS = (
    "title", "slug", "status", "published_at", "tags", "featured", "excerpt",
    "meta_description", "last_reviewed", "reviewed_by", "medical", "audience",
)  # fmt: skip
FORMAT = "rounds-export/2"
# Tables a site move leaves behind, and columns it leaves out of the others.
LEFT_BEHIND = {
    "author_sessions", "recovery_codes", "sign_in_failures", "view_receipts",
    "review_links", "import_runs", "stored_pages", "page_generation",
    # The old server's mail: its log and queue, and how its SMTP server fared with each
    # address. Subscribers, and which posts were emailed, move.
    "outbox", "mail_failures",
}  # fmt: skip
PRIVATE_COLUMNS = {"password_hash", "totp_secret", "totp_last_step", "ip_hash"}
# The author's profile, given to the account on the new site; the rest of her row is hers.
PROFILE = (
    "name", "credentials", "job_title", "short_bio", "headshot_media_id", "bio_md", "bio_html",
)  # fmt: skip
EXPORT_BATCH = 200
IMPORT_BATCH = 100


class SiteImportError(ValueError):
    """An export that can't go into this site; the message says why and what to do."""


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


def carried_tables() -> list[Table]:
    """Every table a site move carries, each after the tables it refers to."""
    return [table for table in db.metadata.sorted_tables if table.name not in LEFT_BEHIND]


def carried_columns(table: Table) -> list[Column]:
    return [column for column in table.columns if column.key not in PRIVATE_COLUMNS]


def _plain(value):
    return value.isoformat() if isinstance(value, datetime | date) else value


def export_zip(target) -> None:
    """Write the whole site as a zip to ``target`` (a path or a binary file), entry by entry,
    never the whole zip in memory: rows are read EXPORT_BATCH at a time, media copied in chunks."""
    posts = select(Post).order_by(Post.id).options(selectinload(Post.tags))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for post in db.session.scalars(posts.execution_options(yield_per=EXPORT_BATCH)):
            archive.writestr(f"posts/{post.slug}.md", post_to_markdown(post))
        counts = {table.name: _export_table(archive, table) for table in carried_tables()}
        data = {
            "format": FORMAT,
            "exported_at": utcnow().isoformat(),
            "schema_revision": db.session.scalar(text("SELECT version_num FROM alembic_version")),
            "tables": counts,
            "left_behind": {"tables": sorted(LEFT_BEHIND), "columns": sorted(PRIVATE_COLUMNS)},
        }
        archive.writestr("data.json", json.dumps(data, indent=2))
        media = Path(current_app.config["MEDIA_DIR"])
        if media.is_dir():
            for path in sorted(media.iterdir()):
                if path.is_file() and is_media_file_name(path.name):
                    archive.write(path, f"media/{path.name}")


def _export_table(archive: zipfile.ZipFile, table: Table) -> int:
    """Write ``tables/<name>.jsonl``, a row a line, in primary key order; the row count."""
    columns = carried_columns(table)
    query = select(*columns).order_by(*table.primary_key.columns)
    count = 0
    with io.TextIOWrapper(archive.open(f"tables/{table.name}.jsonl", "w"), "utf-8") as entry:
        for row in db.session.execute(query.execution_options(yield_per=EXPORT_BATCH)):
            values = {key: _plain(value) for key, value in row._mapping.items()}
            entry.write(json.dumps(values, ensure_ascii=False) + "\n")
            count += 1
    return count


# -- Importing a whole site ---------------------------------------------------------------


def site_export_format(path: Path) -> str | None:
    """The format of a site export zip (``FORMAT`` for this one), or None for anything else
    (Markdown files, a folder, an older export that only its Markdown can come from)."""
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as archive:
        try:
            data = json.loads(archive.read("data.json"))
        except (KeyError, ValueError):
            return None
    return data.get("format") if isinstance(data, dict) else None


def import_site(path: Path, author: Author) -> dict[str, int]:
    """Bring a whole site export into this site, which must hold nothing but ``author``'s
    account (and perhaps unsaved settings): every table's rows with their ids, then the
    media files. Runs in the caller's write transaction; the caller commits. Row counts."""
    if site_export_format(path) != FORMAT:
        raise SiteImportError(f"{path.name} is not a site export of this version ({FORMAT}).")
    occupied = [
        table.name
        for table in carried_tables()
        if table.name not in ("authors", "settings")
        and db.session.execute(select(table).limit(1)).first() is not None
    ]
    if occupied:
        raise SiteImportError(
            "A site export goes into an empty site, and this one already has "
            f"{', '.join(name.replace('_', ' ') for name in occupied)} (the sample posts? "
            "delete them from the dashboard first). To add only the posts, import with "
            "--posts-only."
        )
    counts = {}
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for table in carried_tables():
            name = f"tables/{table.name}.jsonl"
            if name in names:
                with io.TextIOWrapper(archive.open(name), "utf-8") as lines:
                    counts[table.name] = _import_table(table, lines, author)
        restart_id_sequences()
        counts["media files"] = _import_media_files(archive)
    return counts


def _import_table(table: Table, lines, author: Author) -> int:
    columns = {column.key: column for column in carried_columns(table)}
    if table.name == "settings":
        db.session.execute(delete(table))  # a row saved before the import gives way
    batch: list[dict] = []
    count = 0
    for number, line in enumerate(lines, start=1):
        row = json.loads(line)
        unknown = set(row) - set(columns)
        if unknown:
            raise SiteImportError(
                f"tables/{table.name}.jsonl line {number} has columns this version doesn't "
                f"know ({', '.join(sorted(unknown))}): the export was made by a newer version."
            )
        values = {key: _column_value(columns[key], value) for key, value in row.items()}
        count += 1
        if table.name == "authors":
            if count == 1 or values.get("email"):  # the account that signed in, if listed
                for key in PROFILE:
                    if key in values:
                        setattr(author, key, values[key])
            continue
        if table.name == "posts":
            values["author_id"] = author.id  # every post becomes the account's
        batch.append(values)
        if len(batch) == IMPORT_BATCH:
            db.session.execute(table.insert(), batch)
            batch = []
    if batch:
        db.session.execute(table.insert(), batch)
    db.session.flush()
    return count


def _column_value(column: Column, value):
    if isinstance(value, str) and isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(value, str) and isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def restart_id_sequences() -> None:
    """PostgreSQL: rows inserted with their ids leave each id sequence behind; move them on
    past the largest id (SQLite's rowids need nothing)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in carried_tables():
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"
                )
            )


def _import_media_files(archive: zipfile.ZipFile) -> int:
    """Copy the export's media files into MEDIA_DIR; only media file names, never a path."""
    folder = Path(current_app.config["MEDIA_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for name in archive.namelist():
        base = name.removeprefix("media/")
        if name.startswith("media/") and is_media_file_name(base):
            with archive.open(name) as source:
                write_media_file(folder / base, source)
            count += 1
    return count


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
