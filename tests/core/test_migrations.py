"""The schema comes from Alembic only: upgrading an empty database yields the models, the
last revision goes down and up again with data, and the database itself refuses values
no code writes."""

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import JSON, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import (
    Author,
    Comment,
    MailKind,
    MailState,
    Media,
    OutboxMail,
    Page,
    PageGeneration,
    Post,
    PostMail,
    PostStatus,
    Revision,
    Settings,
    StoredPage,
    Subscriber,
)
from blog.posts.search import SearchPage
from blog.posts.writing import apply_rendering, set_tags
from tests.conftest import ROOT

# Tables that are not models: Alembic's own, and search indexes kept by triggers.
NOT_MODELS = {"alembic_version"}
MIGRATIONS = str(ROOT / "migrations")
MEDIA_NAME = "0123456789abcdef0123"
ENUMERATED = [
    ("posts", "status"),
    ("posts", "audience"),
    ("comments", "status"),
    ("revisions", "kind"),
    ("settings", "moderation"),
    ("media", "format"),
    ("pages", "status"),
    ("subscribers", "source"),
    ("outbox", "kind"),
    ("outbox", "status"),
    ("post_mail", "state"),
]


def test_upgrade_of_empty_database_matches_models(app):
    assert schema_differences() == []


def test_every_model_table_exists(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    extra = {t for t in tables - set(db.metadata.tables) - NOT_MODELS if not t.startswith("search")}
    assert extra == set()


def test_last_revision_goes_down_and_up_again_with_the_data(app):
    check_down_and_up()


def test_the_stored_pages_revision_goes_down_and_up_again_with_the_data(app):
    check_stored_pages_down_and_up()


def test_the_identity_revision_goes_down_and_up_again_with_the_data(app):
    check_identity_down_and_up()


def test_the_mail_revision_goes_down_and_up_again_with_the_data(app):
    check_mail_down_and_up()


def test_enumerated_columns_refuse_other_values(app):
    fill_site()
    check_enumerations()


def test_server_defaults_fill_what_an_insert_leaves_out(app):
    fill_site()
    check_server_defaults()


# -- Shared with tests/core/test_postgres.py ---------------------------------------------


def schema_differences() -> list:
    options = {"compare_type": True, "compare_server_default": _different_defaults}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=options)
        diff = compare_metadata(context, db.metadata)
    return [change for change in diff if not _is_search_index(change)]


def _different_defaults(
    _context, _inspected, column, inspected, _metadata, rendered
) -> bool | None:
    """JSON has no = on PostgreSQL, where alembic compares defaults by a query: compare
    their text instead. None: alembic's own comparison."""
    if isinstance(column.type, JSON):
        return inspected.split("::")[0] != rendered
    return None


def _is_search_index(change) -> bool:
    """Full-text search tables (SQLite) and expression indexes (PostgreSQL) are managed by
    the migrations, not models."""
    if change[0] == "remove_table":
        return change[1].name.startswith("search")
    if change[0] == "remove_index":
        return change[1].name.startswith("ix_posts_search")
    return False


def fill_site() -> int:
    """A post with everything the last revisions move: text, contents, an image, tags,
    a comment, a revision; the settings and the image itself; a subscriber and the post's
    mail."""
    author = Author(name="Dr. M", credentials="MD")
    media = Media(name=MEDIA_NAME, width=960, height=480, format="jpeg", variant_widths=[480, 960])
    post = Post(
        author=author,
        title="Gout",
        slug="gout",
        status=PostStatus.PUBLISHED,
        published_at=utcnow() - timedelta(days=1),
        body_md=f"## One\n\nUric acid.\n\n## Two\n\n![Joint](/media/{MEDIA_NAME}-960.jpg)",
    )
    page = Page(title="Contact", slug="contact", body_md="Call.", body_html="<p>Call.</p>")
    db.session.add_all([author, media, post, page, Settings.current()])
    apply_rendering(post)
    post.media = [media]  # as a save records it
    set_tags(post, "Joints")
    db.session.flush()
    post.comment_count = 1
    db.session.add_all(
        [
            Comment(post=post, author_name="R", body_md="Thanks", body_html="<p>Thanks</p>"),
            Comment(post=post, author_name="S", body_md="Yes", body_html="<p>Yes</p>"),
            Revision(post_id=post.id, title="Gout", body_md=post.body_md),
            Subscriber(email="reader@example.org"),
            OutboxMail(kind=MailKind.POST, address="reader@example.org", post_id=post.id),
            PostMail(post_id=post.id, state=MailState.QUEUED),
        ]
    )
    db.session.commit()
    return post.id


def check_site(post_id: int) -> None:
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    assert [level for level, _, _ in post.toc] == [2, 2]
    assert [media.name for media in post.media] == [MEDIA_NAME]
    assert post.media[0].variant_widths == [480, 960]
    assert [tag.name for tag in post.tags] == ["Joints"]
    assert db.session.scalar(select(func.count(Comment.id))) == 2
    assert db.session.scalar(select(func.count(Revision.id))) == 1
    assert SearchPage("uric acid").total == 1
    assert SearchPage("joints").total == 1


def check_down_and_up() -> None:
    """The last revision (the public posts index) down and up: the index it replaced
    comes back, then gives way again, and the site's data stays."""
    post_id = fill_site()
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="-1")
    indexes = {index["name"] for index in inspect(db.engine).get_indexes("posts")}
    assert "ix_posts_status_published_at" in indexes
    assert "ix_posts_status_deleted_at_published_at" not in indexes
    upgrade(directory=MIGRATIONS)
    check_site(post_id)
    assert schema_differences() == []


def check_stored_pages_down_and_up() -> None:
    """The stored pages revision down and up: the site's data stays, and a new
    generation row starts the stored pages afresh."""
    post_id = fill_site()
    db.session.add(
        StoredPage(key="k" * 64, generation=1, content_type="text/html", body=b"x",
                   valid_until=utcnow())
    )  # fmt: skip
    db.session.commit()
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="b7d2e5a91c04")
    tables = inspect(db.engine).get_table_names()
    assert "stored_pages" not in tables and "page_generation" not in tables
    upgrade(directory=MIGRATIONS)
    check_site(post_id)
    assert db.session.scalar(select(func.count()).select_from(StoredPage)) == 0
    assert db.session.scalars(select(PageGeneration.value)).all() == [0]
    assert schema_differences() == []


def check_mail_down_and_up() -> None:
    """The email subscriptions revision down and up: its tables and columns go and
    come back, the site's data is untouched, and of the posts already there only one
    scheduled for later will be emailed."""
    post_id = fill_site()
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="9b1c7e2d4f60")
    tables = inspect(db.engine).get_table_names()
    assert not {"subscribers", "outbox", "mail_failures", "post_mail"} & set(tables)
    assert "notify_replies" not in {c["name"] for c in inspect(db.engine).get_columns("comments")}
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO posts (author_id, title, slug, status, published_at, created_at,"
                " updated_at) SELECT author_id, 'Later', 'later', 'scheduled', :later, :now,"
                " :now FROM posts"
            ),
            {"later": utcnow() + timedelta(days=1), "now": utcnow()},
        )
    upgrade(directory=MIGRATIONS)
    check_site(post_id)
    states = db.session.execute(select(Post.slug, PostMail.state).join(PostMail)).all()
    assert [tuple(row) for row in states] == [("later", MailState.PENDING)]
    assert db.session.scalar(select(func.count(Subscriber.id))) == 0
    assert Settings.current().mail_full_text is True
    assert schema_differences() == []


def check_identity_down_and_up() -> None:
    """The revision before it (the author's identity, pages, the menu) down and up: the
    site's posts, comments and images come through; the headshot, logo and pages go."""
    post_id = fill_site()
    post = db.session.get(Post, post_id)
    media = db.session.scalar(select(Media))
    post.author.headshot, post.author.short_bio = media, "Writes about joints."
    settings = Settings.current()
    settings.logo, settings.menu = media, "home page:1"
    db.session.commit()
    db.session.remove()
    downgrade(directory=MIGRATIONS, revision="4223d240c45a")
    inspector = inspect(db.engine)
    assert "pages" not in inspector.get_table_names()
    assert "headshot_media_id" not in {c["name"] for c in inspector.get_columns("authors")}
    assert "menu" not in {c["name"] for c in inspector.get_columns("settings")}
    upgrade(directory=MIGRATIONS)
    check_site(post_id)
    post = db.session.get(Post, post_id)
    assert post.author.headshot is None and post.author.short_bio == ""
    assert db.session.scalar(select(Settings)).menu == "home archive about"
    assert schema_differences() == []


def check_enumerations() -> None:
    for table, column in ENUMERATED:
        with pytest.raises(IntegrityError):
            db.session.execute(text(f"UPDATE {table} SET {column} = 'other'"))
        db.session.rollback()


def check_server_defaults() -> None:
    now = {"now": utcnow()}
    statements = [
        "INSERT INTO posts (author_id, title, slug, created_at, updated_at)"
        " SELECT id, 'Bare', 'bare', :now, :now FROM authors",
        "INSERT INTO comments (post_id, author_name, body_md, body_html, created_at)"
        " SELECT id, 'Bare', '', '', :now FROM posts WHERE slug = 'bare'",
        "INSERT INTO media (name, width, height, format, created_at)"
        " VALUES ('bare', 1, 1, 'png', :now)",
    ]
    for statement in statements:
        db.session.execute(text(statement), now)
    db.session.commit()
    post = db.session.scalar(select(Post).where(Post.slug == "bare"))
    assert (post.status, post.audience, post.featured, post.view_count) == (
        "draft",
        "patients",
        False,
        0,
    )
    assert (post.body_md, post.toc, post.reading_minutes) == ("", [], 1)
    comment = db.session.scalar(select(Comment).where(Comment.author_name == "Bare"))
    assert (comment.status, comment.is_author, comment.hold_reason) == ("pending", False, "")
    assert db.session.scalar(select(Media).where(Media.name == "bare")).variant_widths == []


def test_reviewers_come_from_the_old_free_text_and_the_posts_own_author(tmp_path):
    """Before reviewers were rows, a review date with no reviewer named read "Medically
    reviewed by" the author: the migration names her, so the page and the structured
    data now say the same; a named reviewer becomes a row with credentials."""
    from blog import create_app
    from tests.conftest import base_config

    app = create_app(base_config(tmp_path / "old.sqlite3", tmp_path))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="f302ebb5f01b")
        past = {"past": utcnow() - timedelta(days=1), "day": utcnow().date()}
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO authors (id, name, credentials, job_title, bio_md, bio_html,"
                    " email, password_hash, created_at)"
                    " VALUES (1, 'Dr. Ada', 'MD, Cardiology', '', '', '', 'a@x.org', 'x', :past)"
                ),
                past,
            )
            for slug, reviewed_by, day in [
                ("self", "", ":day"),
                ("named", "Dr. Sam Lee, MD", ":day"),
                ("unreviewed", "", "NULL"),
            ]:
                connection.execute(
                    text(
                        "INSERT INTO posts (author_id, title, slug, status, published_at,"
                        f" last_reviewed, reviewed_by, medical, created_at, updated_at) VALUES"
                        f" (1, '{slug}', '{slug}', 'published', :past, {day}, '{reviewed_by}',"
                        " true, :past, :past)"
                    ),
                    past,
                )
        upgrade(directory=MIGRATIONS)
        reviewers = {post.slug: post.reviewer for post in db.session.scalars(select(Post))}
        assert reviewers["self"].author_id == 1 and reviewers["unreviewed"] is None
        assert (reviewers["named"].name, reviewers["named"].credentials) == ("Dr. Sam Lee", "MD")
        page = app.test_client().get("/post/self").get_data(as_text=True)
        assert "Medically reviewed by <a" in page and "Dr. Ada</a>, MD, Cardiology, on" in page
        db.session.remove()
        db.engine.dispose()
