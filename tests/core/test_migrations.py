"""The schema comes from Alembic only: upgrading an empty database yields the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from blog.extensions import db

# Tables that are not models: Alembic's own, and search indexes kept by triggers.
NOT_MODELS = {"alembic_version"}


def test_upgrade_of_empty_database_matches_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    diff = [change for change in diff if not _is_search_index(change)]
    assert diff == []


def test_every_model_table_exists(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    extra = {t for t in tables - set(db.metadata.tables) - NOT_MODELS if not t.startswith("search")}
    assert extra == set()


def _is_search_index(change) -> bool:
    """Full-text search tables (SQLite) and expression indexes (PostgreSQL) are managed by
    the migrations, not models."""
    if change[0] == "remove_table":
        return change[1].name.startswith("search")
    if change[0] == "remove_index":
        return change[1].name.startswith("ix_posts_search")
    return False
