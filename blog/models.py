"""The blog's data: authors, posts and their history, tags, comments, media, settings.

Times are stored as naive UTC (SQLite keeps no zone); ``utcnow()`` is the one source of
"now", and templates convert to the author's time zone for display.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from blog.core.clock import utcnow
from blog.extensions import db


class PostStatus:
    DRAFT = "draft"
    PUBLISHED = "published"
    SCHEDULED = "scheduled"
    ALL = (DRAFT, PUBLISHED, SCHEDULED)


class CommentStatus:
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    ALL = (PENDING, APPROVED, SPAM)


class Moderation:
    HOLD_ALL = "hold_all"
    HOLD_FIRST = "hold_first"
    OPEN = "open"
    ALL = (HOLD_ALL, HOLD_FIRST, OPEN)


post_tags = Table(
    "post_tags",
    db.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Author(UserMixin, db.Model):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credentials: Mapped[str] = mapped_column(String(160), default="")
    job_title: Mapped[str] = mapped_column(String(160), default="")
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # None for the sample profile: it cannot sign in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    bio_md: Mapped[str] = mapped_column(Text, default="")
    bio_html: Mapped[str] = mapped_column(Text, default="")
    # Changes when the password does, which ends every other session.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    posts: Mapped[list[Post]] = relationship(back_populates="author")

    @property
    def can_sign_in(self) -> bool:
        return self.password_hash is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Tag(db.Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(80), unique=True)

    posts: Mapped[list[Post]] = relationship(secondary=post_tags, back_populates="tags")


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_status_published_at", "status", "published_at"),
        Index("ix_posts_featured_published_at", "featured", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    body_md: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Table of contents as JSON [[level, id, text], ...], made on save.
    toc_json: Mapped[str] = mapped_column(Text, default="[]")
    # Plain text of the body, made on save, for search and feeds' summaries.
    body_text: Mapped[str] = mapped_column(Text, default="")
    # The author's excerpt; auto_excerpt (the first paragraph) is made on save.
    excerpt: Mapped[str] = mapped_column(Text, default="")
    auto_excerpt: Mapped[str] = mapped_column(Text, default="")
    meta_description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.DRAFT)
    featured: Mapped[bool] = mapped_column(default=False)
    # Loaded by `flask demo`; the dashboard offers to delete sample posts in one action.
    sample: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column()
    last_reviewed: Mapped[date | None] = mapped_column()
    reviewed_by: Mapped[str] = mapped_column(String(160), default="")
    # Medical content is marked up as MedicalWebPage for this audience.
    medical: Mapped[bool] = mapped_column(default=False)
    audience: Mapped[str] = mapped_column(String(16), default="patients")
    word_count: Mapped[int] = mapped_column(default=0)
    reading_minutes: Mapped[int] = mapped_column(default=1)
    view_count: Mapped[int] = mapped_column(default=0)
    like_count: Mapped[int] = mapped_column(default=0)
    # Approved comments only; refreshed by comments.counts.refresh_comment_count().
    comment_count: Mapped[int] = mapped_column(default=0)
    cover_media_id: Mapped[int | None] = mapped_column(
        ForeignKey("media.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The author's last edit (posts.writing sets it); counters and likes leave it alone.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the post is in the trash.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)

    author: Mapped[Author] = relationship(back_populates="posts", lazy="joined")
    tags: Mapped[list[Tag]] = relationship(
        secondary=post_tags, back_populates="posts", order_by="Tag.name"
    )
    cover: Mapped[Media | None] = relationship(lazy="joined")

    @staticmethod
    def is_public():
        """The rule for what readers see: published, or scheduled and its time has come."""
        return and_(
            Post.deleted_at.is_(None),
            Post.published_at.is_not(None),
            Post.published_at <= utcnow(),
            or_(Post.status == PostStatus.PUBLISHED, Post.status == PostStatus.SCHEDULED),
        )

    @classmethod
    def public(cls):
        """A select() of the posts readers may see, newest first."""
        return select(cls).where(cls.is_public()).order_by(cls.published_at.desc(), cls.id.desc())

    @property
    def visible(self) -> bool:
        return (
            self.deleted_at is None
            and self.status in (PostStatus.PUBLISHED, PostStatus.SCHEDULED)
            and self.published_at is not None
            and self.published_at <= utcnow()
        )

    @property
    def toc(self) -> list[tuple[int, str, str]]:
        return [tuple(item) for item in json.loads(self.toc_json or "[]")]

    @property
    def summary(self) -> str:
        """What cards, feeds and meta tags show: the author's excerpt, else the first paragraph."""
        return self.excerpt or self.auto_excerpt

    @property
    def modified_at(self) -> datetime:
        return max(filter(None, [self.updated_at, self.published_at]))


class SlugRedirect(db.Model):
    """An old slug of a post, answered with a 301 to its current one."""

    __tablename__ = "slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Revision(db.Model):
    """A saved state of a post's text; autosaves replace the newest autosave."""

    __tablename__ = "revisions"
    __table_args__ = (Index("ix_revisions_post_id_created_at", "post_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="save")  # save, autosave, restore
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PostView(db.Model):
    """Views of a post on one day (UTC): the dashboard's chart."""

    __tablename__ = "post_views"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(primary_key=True, index=True)
    count: Mapped[int] = mapped_column(default=0)


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
    status: Mapped[str] = mapped_column(String(16), default=CommentStatus.PENDING)
    # Written by the signed-in author (shown with an "Author" badge).
    is_author: Mapped[bool] = mapped_column(default=False)
    # Salted hash of the reader's IP, erased after IP_HASH_DAYS.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # Hash of the reader's browser token, to show them their own pending comment.
    browser_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # Why the comment was held or marked as spam, for the moderator.
    hold_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id])


class Media(db.Model):
    """An uploaded image, re-encoded without metadata, with its resized variants."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Content-hashed base name, e.g. "3f9c...e1"; files are <name>-<width>.<ext>.
    name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    alt: Mapped[str] = mapped_column(String(500), default="")
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    # The fallback format of the variants: "jpeg", "png" or "gif".
    format: Mapped[str] = mapped_column(String(8))
    # JSON list of the variant widths made, e.g. [480, 960, 1600].
    variants_json: Mapped[str] = mapped_column(Text, default="[]")
    byte_size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def variant_widths(self) -> list[int]:
        return json.loads(self.variants_json or "[]")


class Settings(db.Model):
    """The site's settings: one row, edited at /admin/settings."""

    __tablename__ = "settings"
    __table_args__ = (UniqueConstraint("singleton"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    singleton: Mapped[int] = mapped_column(default=1)
    site_title: Mapped[str] = mapped_column(String(120), default="Rounds")
    tagline: Mapped[str] = mapped_column(String(200), default="Notes from clinic")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    about_md: Mapped[str] = mapped_column(Text, default="")
    about_html: Mapped[str] = mapped_column(Text, default="")
    disclaimer: Mapped[str] = mapped_column(
        Text,
        default=(
            "This blog offers general health information, not medical advice for your "
            "situation. Talk to your own clinician before making changes to your care. "
            "In an emergency, call your local emergency number."
        ),
    )
    moderation: Mapped[str] = mapped_column(String(16), default=Moderation.HOLD_FIRST)
    # Comments close this many days after publication; None keeps them open.
    close_comments_after_days: Mapped[int | None] = mapped_column()
    comments_enabled: Mapped[bool] = mapped_column(default=True)
    show_likes: Mapped[bool] = mapped_column(default=True)
    show_views: Mapped[bool] = mapped_column(default=True)
    # One entry a line: words, domains or email addresses that send a comment to spam.
    blocklist: Mapped[str] = mapped_column(Text, default="")
    # One URL a line: the author's profiles elsewhere (structured data sameAs).
    same_as: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

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
