"""The same code on PostgreSQL: migrations, reader pages and view counting.

Runs when BLOG_TEST_DATABASE_URL names a PostgreSQL database (CI sets it). Each
pytest-xdist worker works in a schema of its own in that database, emptied before every
test, so workers never see each other's tables.
"""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from blog import create_app
from blog.extensions import db
from tests.conftest import ROOT, base_config
from tests.test_migrations import _is_search_index

URL = os.environ.get("BLOG_TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="BLOG_TEST_DATABASE_URL unset"),
]
BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def worker_url() -> tuple[str, str]:
    """The test database URL with this worker's schema first on the search path."""
    schema = "test_" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = make_url(URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


@pytest.fixture
def pg_app(tmp_path):
    url, schema = worker_url()
    app = create_app(
        {**base_config(tmp_path / "unused.sqlite3", tmp_path), "SQLALCHEMY_DATABASE_URI": url}
    )
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        upgrade(directory=str(ROOT / "migrations"))
        yield app
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_models_on_postgresql(pg_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert [change for change in diff if not _is_search_index(change)] == []


def test_reader_pages_and_view_counts_on_postgresql(pg_app):
    from blog.models import Post, PostView

    pg_app.test_cli_runner().invoke(args=["demo"])
    client = pg_app.test_client()
    for url in ("/", "/about", "/tag/prevention", "/healthz"):
        assert client.get(url).status_code == 200, url
    for _ in range(3):
        assert client.get("/post/understanding-blood-pressure", headers=BROWSER).status_code == 200
    post = db.session.scalar(db.select(Post).where(Post.slug == "understanding-blood-pressure"))
    db.session.refresh(post)
    assert post.view_count == 3
    assert db.session.scalar(db.select(PostView.count).where(PostView.post_id == post.id)) == 3
