"""The blog's data: authors, posts and their history, tags, comments, media, settings.

Times are stored as naive UTC (SQLite keeps no zone); ``utcnow()`` is the one source of
"now", and templates convert to the author's time zone for display.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, undefer_group

from blog.core.clock import utcnow
from blog.extensions import db

# The values an enumerated column may hold (CHECK constraints keep the database to them):
# each member's value is its name in lower case, e.g. PostStatus.DRAFT == "draft".
PostStatus = StrEnum("PostStatus", "DRAFT PUBLISHED SCHEDULED")
Audience = StrEnum("Audience", "PATIENTS CLINICIANS")
CommentStatus = StrEnum("CommentStatus", "PENDING APPROVED SPAM")
RevisionKind = StrEnum("RevisionKind", "SAVE AUTOSAVE RESTORE REVIEW")
Moderation = StrEnum("Moderation", "HOLD_ALL HOLD_FIRST OPEN")
PageStatus = StrEnum("PageStatus", "DRAFT PUBLISHED")
ImportKind = StrEnum("ImportKind", "POST PAGE COMMENT IMAGE")
RunStatus = StrEnum("RunStatus", "QUEUED RUNNING DONE FAILED")
# Whether a post is emailed to subscribers (PostMail): NONE never ("publish without
# emailing"), PENDING once it is public, QUEUED when its mail has been queued (never again,
# whatever later edits do). A post without a PostMail row is never emailed: imported and
# sample posts, and those published before subscriptions existed.
MailState = StrEnum("MailState", "NONE PENDING QUEUED")
# An outbox mail's kind: a subscription's confirmation, a new post, a reply to a reader's
# comment, a new comment for the author.
MailKind = StrEnum("MailKind", "CONFIRM POST REPLY COMMENT")
# QUEUED waits for its time; SENDING is claimed by a worker; SENT was accepted by the SMTP
# server; FAILED was refused (or out of attempts); SKIPPED was no longer to be sent.
MailStatus = StrEnum("MailStatus", "QUEUED SENDING SENT FAILED SKIPPED")
SubscriberSource = StrEnum("SubscriberSource", "HOME POST IMPORT")
REVISION_LABELS = {
    "save": "Saved",
    "autosave": "Autosaved",
    "restore": "Restored",
    "review": "Reviewed",
}


# The fallback formats of an image's variants (posts.images.normalise() picks one).
IMAGE_FORMATS = ("jpeg", "png")


def one_of(name: str, values: tuple[str, ...]) -> CheckConstraint:
    """A CHECK that column ``name`` holds one of ``values`` (named ck_<table>_<name>)."""
    return CheckConstraint(column(name).in_(values), name=name)


def defaulted(value, *args, **kwargs):
    """A column with ``value`` as its default in Python and in the database too, so that a
    later ``ADD COLUMN ... NOT NULL`` can fill the rows already there."""
    if isinstance(value, int):  # and bool: true and false are SQL on SQLite too
        server = text(str(value).lower())
    elif value == []:
        server, value = text("'[]'"), list  # a new list for each row, never a shared one
    else:
        server = value or text("''")  # alembic takes a plain "" for no default at all
    return mapped_column(*args, default=value, server_default=server, **kwargs)


post_tags = Table(
    "post_tags",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The uploaded images a post's text shows, recorded on save (the media library's "used by").
post_media = Table(
    "post_media",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("media_id", ForeignKey("media.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Author(UserMixin, db.Model):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = defaulted("", String(160))
    job_title: Mapped[str] = defaulted("", String(160))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # None for the sample profile: it cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    bio_md: Mapped[str] = defaulted("", Text)
    bio_html: Mapped[str] = defaulted("", Text)
    # One line under her name in the author box at the end of each post.
    short_bio: Mapped[str] = defaulted("", String(200))
    # Her photo (an uploaded image): the byline, the author box and the About page.
    headshot_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), index=True
    )
    # Two-step sign-in: the TOTP secret (base32) once enrolled, and the last time step a
    # code was accepted for, so one code can't be used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    posts: Mapped[list[Post]] = relationship(back_populates="author")
    headshot: Mapped[Media | None] = relationship(lazy="joined")
    # Set on the instance by accounts.sessions while a request runs: Flask-Login stores
    # get_id() in the cookie, so the id names the server-side session, not only the author.
    session_token = None

    @property
    def can_sign_in(self) -> bool:
        return self.password_hash is not None

    @property
    def two_factor(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class AuthorSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is kept,
    so signing out (deleting the row) ends the session wherever the cookie was copied."""

    __tablename__ = "author_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    # "Keep me signed in": the cookie outlives the browser and the idle limit is longer.
    remember: Mapped[bool] = defaulted(False)
    # A short description of the browser, for the account page's list.
    user_agent: Mapped[str] = defaulted("", String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecoveryCode(db.Model):
    """A single-use code that signs in when the authenticator is lost (hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column()


class SignInFailure(db.Model):
    """A refused sign-in, counted against a key: a hashed network (an IPv4 address or an
    IPv6 /64) or a hashed account. Every worker and restart sees the same counts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_key_created_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        # Every part of Post.is_public(): a count of public posts reads the index alone,
        # and the newest come in order (published_at last), so a list stops after its page.
        Index("ix_posts_status_deleted_at_published_at", "status", "deleted_at", "published_at"),
        Index("ix_posts_featured_published_at", "featured", "published_at"),
        one_of("status", tuple(PostStatus)),
        one_of("audience", tuple(Audience)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    # The author's excerpt; auto_excerpt (the first paragraph) is made on save.
    excerpt: Mapped[str] = defaulted("", Text)
    auto_excerpt: Mapped[str] = defaulted("", Text)
    meta_description: Mapped[str] = defaulted("", String(300))
    status: Mapped[str] = defaulted(PostStatus.DRAFT, String(16))
    featured: Mapped[bool] = defaulted(False)
    # Loaded by `flask demo`, by the sample profile: shown marked as a sample, never under
    # the real author's name; the dashboard offers to delete sample posts in one action.
    sample: Mapped[bool] = defaulted(False)
    published_at: Mapped[datetime | None] = mapped_column()
    last_reviewed: Mapped[date | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviewers.id", ondelete="SET NULL"), index=True
    )
    # Medical content is marked up as MedicalWebPage for this audience.
    medical: Mapped[bool] = defaulted(False)
    audience: Mapped[str] = defaulted(Audience.PATIENTS, String(16))
    word_count: Mapped[int] = defaulted(0)
    reading_minutes: Mapped[int] = defaulted(1)
    view_count: Mapped[int] = defaulted(0)
    like_count: Mapped[int] = defaulted(0)
    # Approved comments only; refreshed by comments.counts.refresh_comment_count().
    comment_count: Mapped[int] = defaulted(0)
    cover_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The author's last edit (posts.writing sets it); counters and likes leave it alone.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the post is in the trash.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)
    # The text comes last in the row and loads only when used, so listings, counts and the
    # sitemap never read it (on SQLite they stop before the row's overflow pages).
    body_md: Mapped[str] = defaulted("", Text, deferred_group="text")
    body_html: Mapped[str] = defaulted("", Text, deferred_group="text")
    # Plain text of the body, made on save, for search and feeds' summaries.
    body_text: Mapped[str] = defaulted("", Text, deferred_group="text")
    # Table of contents [[level, id, text], ...], made on save.
    toc: Mapped[list] = defaulted([], JSON, deferred_group="text")

    # Author and cover are not joined into a query of posts: a join stops SQLite from
    # ending a list of the newest posts after its LIMIT, so every post of the site would
    # be read and sorted. The author is loaded when first used, once for a request (the
    # session then has it: the site's posts share one or a few authors); the covers of
    # the posts a query found come by one more query (selectin).
    author: Mapped[Author] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, back_populates="posts", order_by="Tag.name"
    )
    cover: Mapped[Media | None] = relationship(lazy="selectin")
    media: Mapped[list[Media]] = relationship(secondary=post_media)
    reviewer: Mapped[Reviewer | None] = relationship()

    @staticmethod
    def is_public(now=None):
        """The rule for what readers see: published, or scheduled and its time has come
        (by ``now``: a time or a bound parameter; the current time by default)."""
        return and_(
            Post.deleted_at.is_(None),
            Post.published_at.is_not(None),
            Post.published_at <= (utcnow() if now is None else now),
            or_(Post.status == PostStatus.PUBLISHED, Post.status == PostStatus.SCHEDULED),
        )

    @classmethod
    def public(cls):
        """A select() of the posts readers may see, newest first."""
        return select(cls).where(cls.is_public()).order_by(cls.published_at.desc(), cls.id.desc())

    @classmethod
    def with_text(cls):
        """A select() of posts that loads their text as well (the post page)."""
        return select(cls).options(undefer_group("text"))

    @property
    def visible(self) -> bool:
        return (
            self.deleted_at is None
            and self.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= utcnow()
        )

    @property
    def summary(self) -> str:
        """What cards, feeds and meta tags show: the author's excerpt, else the first paragraph."""
        return self.excerpt or self.auto_excerpt

    @property
    def modified_at(self) -> datetime:
        return max(filter(None, [self.updated_at, self.published_at]))


class Reviewer(db.Model):
    """Who medically reviewed a post: a colleague with credentials and an optional profile
    page, or an author of the blog (``author_id``), whose name, credentials and profile
    then follow the author's own as they change."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = defaulted("", String(160))
    url: Mapped[str] = defaulted("", String(500))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Author | None] = relationship()

    @property
    def shown(self) -> Author | Reviewer:
        """Whose name and credentials are shown: the author's own, when she reviewed it."""
        return self.author or self


class ReviewLink(db.Model):
    """A private link that shows a post, as it will publish, to a reviewing colleague.

    The link carries a random token; only its SHA-256 is kept. It works until
    ``expires_at`` or until the author revokes it (``revoked_at``).
    """

    __tablename__ = "review_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The author's note of whom the link is for.
    label: Mapped[str] = defaulted("", String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None] = mapped_column()

    post: Mapped[Post] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None and self.expires_at > utcnow()


class SlugRedirect(db.Model):
    """An old slug of a post, answered with a 301 to its current one."""

    __tablename__ = "slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PathRedirect(db.Model):
    """An address a post had on the site it was imported from (``/2019/03/05/slug``,
    ``/?p=12``, ``/slug``), answered with a 301 to the post, or to ``target`` (``/about``).
    Paths are stored percent-decoded, lower-cased and without a trailing slash."""

    __tablename__ = "path_redirects"

    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    target: Mapped[str] = defaulted("", String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportItem(db.Model):
    """What an import made of one thing in a source (a post, a page, a comment, an image),
    so that importing again updates it instead of making it twice."""

    __tablename__ = "import_items"
    __table_args__ = (
        UniqueConstraint("source", "kind", "original_id"),
        one_of("kind", tuple(ImportKind)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The site imported from, e.g. "wordpress:old.example.org".
    source: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    # Its id there (a post id, a uuid, an address; hashed when longer than the column).
    original_id: Mapped[str] = mapped_column(String(200))
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="CASCADE"), index=True
    )
    # A hash of what the import wrote, to tell a changed source from an unchanged one, and
    # a hash of the text written, to tell whether the author has edited it here since.
    digest: Mapped[str] = defaulted("", String(64))
    written: Mapped[str] = defaulted("", String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportRun(db.Model):
    """An import started from the Import page, with its progress for the page to show."""

    __tablename__ = "import_runs"
    __table_args__ = (one_of("status", tuple(RunStatus)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # What is imported: the uploaded file's name, or the site's address.
    label: Mapped[str] = mapped_column(String(500))
    address: Mapped[str] = defaulted("", String(500))
    # The upload, stored under instance/imports/ until the run no longer needs it.
    file_name: Mapped[str] = defaulted("", String(100))
    pages_as: Mapped[str] = defaulted("about", String(8))
    dry_run: Mapped[bool] = defaulted(False)
    status: Mapped[str] = defaulted(RunStatus.QUEUED, String(16))
    stage: Mapped[str] = defaulted("", String(200))
    done: Mapped[int] = defaulted(0)
    total: Mapped[int] = defaulted(0)
    summary: Mapped[str] = defaulted("", Text)
    error: Mapped[str] = defaulted("", Text)
    warnings: Mapped[list] = defaulted([], JSON)
    # What a dry run would create, a line each.
    plan: Mapped[list] = defaulted([], JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


class Revision(db.Model):
    """A saved state of a post's text; autosaves replace the newest autosave."""

    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_post_id_created_at", "post_id", "created_at"),
        one_of("kind", tuple(RevisionKind)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = defaulted("", Text)
    kind: Mapped[str] = defaulted(RevisionKind.SAVE, String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostView(db.Model):
    """Views of a post on one day (UTC): the dashboard's chart."""

    __tablename__ = "post_views"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    count: Mapped[int] = defaulted(0)


class ViewReceipt(db.Model):
    """A reader (a hashed browser or address) counted as viewing a post on a day, so a
    reader counts once per post per day; erased with the other reader hashes."""

    __tablename__ = "view_receipts"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    reader_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class PostLike(db.Model):
    """One like of a post by one browser (a hashed random token, not a person)."""

    __tablename__ = "post_likes"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    browser_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_post_id_status_created_at", "post_id", "status", "created_at"),
        Index("ix_comments_status_created_at", "status", "created_at"),
        one_of("status", tuple(CommentStatus)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(80))
    # Optional, never shown; lower-cased. Used to recognise returning commenters.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = defaulted(CommentStatus.PENDING, String(16))
    # Written by the signed-in author (shown with an "Author" badge).
    is_author: Mapped[bool] = defaulted(False)
    # Salted hash of the reader's IP, erased after IP_HASH_DAYS.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # Hash of the reader's browser token, to show them their own pending comment.
    browser_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The reader (who gave an email) asked for one mail when the author replies.
    notify_replies: Mapped[bool] = defaulted(False)
    # Why the comment was held or marked as spam, for the moderator.
    hold_reason: Mapped[str] = defaulted("", String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])


class Media(db.Model):
    """An uploaded image, re-encoded without metadata, with its resized variants."""

    __tablename__ = "media"
    __table_args__ = (one_of("format", IMAGE_FORMATS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Content-hashed base name, e.g. "3f9c...e1"; files are <name>-<width>.<ext>.
    name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = defaulted("", String(255))
    alt: Mapped[str] = defaulted("", String(500))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    # The fallback format of the variants, one of IMAGE_FORMATS.
    format: Mapped[str] = mapped_column(String(8))
    # The widths of the variants made, e.g. [480, 960, 1600].
    variant_widths: Mapped[list[int]] = defaulted([], JSON)
    byte_size: Mapped[int] = defaulted(0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Page(db.Model):
    """A page of the author's own beyond About (Contact, Clinic hours, Privacy policy),
    at /page/<slug>: Markdown rendered on save, like a post's, without dates or comments."""

    __tablename__ = "pages"
    __table_args__ = (one_of("status", tuple(PageStatus)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = defaulted(PageStatus.DRAFT, String(16))
    # The first paragraph (made on save): the page's description for search and previews.
    excerpt: Mapped[str] = defaulted("", Text)
    body_md: Mapped[str] = defaulted("", Text)
    body_html: Mapped[str] = defaulted("", Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def published(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def menu_key(self) -> str:
        return f"page:{self.id}"


class Settings(db.Model):
    """The site's settings: one row, edited at /admin/settings."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("singleton"), one_of("moderation", tuple(Moderation)))

    id: Mapped[int] = mapped_column(primary_key=True)
    singleton: Mapped[int] = defaulted(1)
    site_title: Mapped[str] = defaulted("Rounds", String(120))
    tagline: Mapped[str] = defaulted("Notes from clinic", String(200))
    timezone: Mapped[str] = defaulted("UTC", String(64))
    about_md: Mapped[str] = defaulted("", Text)
    about_html: Mapped[str] = defaulted("", Text)
    disclaimer: Mapped[str] = defaulted(
        "This blog offers general health information, not medical advice for your "
        "situation. Talk to your own clinician before making changes to your care. "
        "In an emergency, call your local emergency number.",
        Text,
    )
    moderation: Mapped[str] = defaulted(Moderation.HOLD_FIRST, String(16))
    # Comments close this many days after publication; None keeps them open.
    close_comments_after_days: Mapped[int | None] = mapped_column()
    comments_enabled: Mapped[bool] = defaulted(True)
    show_likes: Mapped[bool] = defaulted(True)
    show_views: Mapped[bool] = defaulted(True)
    # One entry a line: words, domains or email addresses that send a comment to spam.
    blocklist: Mapped[str] = defaulted("", Text)
    # One URL a line: the author's profiles elsewhere (structured data sameAs).
    same_as: Mapped[str] = defaulted("", Text)
    # The dashboard lists published posts last reviewed longer ago than this.
    review_after_months: Mapped[int] = defaulted(12)
    # The site's logo (an uploaded image), and whether the title is shown beside it.
    logo_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), index=True
    )
    # The favicon's files, <favicon>-32.png and <favicon>-180.png in the media folder
    # (posts.images.store_icons); "" for the default icon.
    favicon: Mapped[str] = defaulted("", String(20))
    title_with_logo: Mapped[bool] = defaulted(True)
    # The header's links, in order, separated by spaces: home, about, archive, search,
    # feed, and page:<id> for a page of hers (blog.posts.pages.menu_items reads it).
    menu: Mapped[str] = defaulted("home archive about", Text)
    # Mail to subscribers: the sender (empty: the site title, and MAIL_FROM), and whether
    # a new post's mail carries its full text or its excerpt with a link.
    mail_sender_name: Mapped[str] = defaulted("", String(120))
    mail_sender_address: Mapped[str] = defaulted("", String(254))
    mail_full_text: Mapped[bool] = defaulted(True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    logo: Mapped[Media | None] = relationship(lazy="joined")

    @classmethod
    def current(cls) -> Settings:
        """The settings row; before one is saved, an unsaved row with the defaults.

        Reading never writes. Code that changes settings calls ``db.session.add()`` on
        the result before committing, which also persists a first row.
        """
        settings = db.session.scalar(select(cls).order_by(cls.id).limit(1))
        if settings is None:
            settings = cls(**cls.defaults())
        return settings

    @classmethod
    def defaults(cls) -> dict:
        return {
            column.key: column.default.arg
            for column in cls.__table__.columns
            if column.default is not None and not callable(column.default.arg)
        }

    @property
    def same_as_urls(self) -> list[str]:
        return [line.strip() for line in self.same_as.splitlines() if line.strip()]

    @property
    def blocklist_entries(self) -> list[str]:
        return [line.strip().lower() for line in self.blocklist.splitlines() if line.strip()]


class Subscriber(db.Model):
    """A confirmed email subscription. Only the address, when it was confirmed and where
    the reader subscribed are kept; an unconfirmed address is never stored here (its
    confirmation link carries it, signed)."""

    __tablename__ = "subscribers"
    __table_args__ = (one_of("source", tuple(SubscriberSource)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = defaulted(SubscriberSource.HOME, String(16))
    source_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"), index=True
    )

    source_post: Mapped[Post | None] = relationship()


class PostMail(db.Model):
    """Whether a post is emailed to subscribers (MailState), set when the author publishes
    or schedules it in the editor; the worker queues a PENDING post once it is public."""

    __tablename__ = "post_mail"
    __table_args__ = (one_of("state", tuple(MailState)),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = defaulted(MailState.PENDING, String(16), index=True)
    queued_at: Mapped[datetime | None] = mapped_column()
    # How many subscribers its mail was queued for.
    recipients: Mapped[int] = defaulted(0)


class OutboxMail(db.Model):
    """One mail to one address, sent by the worker (``flask mail work``); the message is
    built when it is sent, from the rows it names. Sent and failed mails stay as the log
    the author sees until MAIL_LOG_DAYS. A post goes to an address once: the unique
    (post, address) pair holds even if two workers race."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("post_id", "address"),
        Index("ix_outbox_status_due_at", "status", "due_at"),
        one_of("kind", tuple(MailKind)),
        one_of("status", tuple(MailStatus)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(254), index=True)
    # POST: the post; REPLY and COMMENT: the comment (the author's reply, the new comment).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # CONFIRM: what the confirmation link subscribes to (source and post).
    detail: Mapped[str] = defaulted("", String(200))
    status: Mapped[str] = defaulted(MailStatus.QUEUED, String(16))
    attempts: Mapped[int] = defaulted(0)
    # Not sent before this time (retries back off).
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str] = defaulted("", String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class MailFailure(db.Model):
    """Hard failures (the receiving server refused the address) counted per address; after
    MAIL_PAUSE_AFTER_FAILURES in a row nothing more is sent to it until the author resumes it.
    A delivered mail clears the count."""

    __tablename__ = "mail_failures"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    count: Mapped[int] = defaulted(0)
    paused: Mapped[bool] = defaulted(False)
    last_error: Mapped[str] = defaulted("", String(500))
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PageGeneration(db.Model):
    """How often what readers' pages show has changed: one row, its value raised in the
    same transaction as every such change (blog.core.page_store), so a stored page made
    at an older value is never served."""

    __tablename__ = "page_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = defaulted(0)


class StoredPage(db.Model):
    """A reader's page as it was rendered, shared by every worker until what it shows
    changes (``generation``) or a time it depends on passes (``valid_until``)."""

    __tablename__ = "stored_pages"

    # A hash of the page's address and of the code and configuration that made it.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    generation: Mapped[int] = mapped_column(index=True)
    content_type: Mapped[str] = mapped_column(String(100))
    # The body, zlib-compressed; the comment form's start time is a marker in it.
    body: Mapped[bytes] = mapped_column(LargeBinary)
    last_modified: Mapped[datetime | None] = mapped_column()
    stored_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    valid_until: Mapped[datetime] = mapped_column()
