"""The same code on PostgreSQL: migrations, reader pages and view counting.

Runs when BLOG_TEST_DATABASE_URL names a PostgreSQL database (CI sets it). Each
pytest-xdist worker works in a schema of its own in that database, emptied before every
test, so workers never see each other's tables.
"""

import os

import pytest
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from blog import create_app
from blog.extensions import db
from tests.conftest import ROOT, IsolatedClient, base_config
from tests.core import test_migrations as schema

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
    app.test_client_class = IsolatedClient
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        upgrade(directory=str(ROOT / "migrations"))
        yield app
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_models_on_postgresql(pg_app):
    assert schema.schema_differences() == []


def test_last_revision_goes_down_and_up_again_on_postgresql(pg_app):
    schema.check_down_and_up()


def test_the_stored_pages_revision_goes_down_and_up_again_on_postgresql(pg_app):
    schema.check_stored_pages_down_and_up()


def test_enumerated_columns_and_server_defaults_on_postgresql(pg_app):
    schema.fill_site()
    schema.check_enumerations()
    schema.check_server_defaults()


def test_reader_pages_and_view_counts_on_postgresql(pg_app):
    from blog.models import Post, PostView
    from blog.posts import stats

    pg_app.test_cli_runner().invoke(args=["demo"])
    client = pg_app.test_client()
    for url in ("/", "/about", "/tag/prevention", "/healthz"):
        assert client.get(url).status_code == 200, url

    slug = "understanding-blood-pressure"
    for _ in range(3):  # one reader, three times: once; two more readers: three in all
        assert client.get(f"/post/{slug}", headers=BROWSER).status_code == 200
        assert client.post(f"/post/{slug}/seen", headers=BROWSER).status_code == 204
    for address in ("192.0.2.1", "2001:db8::1"):
        reader = pg_app.test_client()
        reader.post(f"/post/{slug}/seen", headers=BROWSER, environ_base={"REMOTE_ADDR": address})
    stats.flush_views()
    client.post(f"/post/{slug}/seen", headers=BROWSER)  # after a write: still counted once
    stats.flush_views()
    post = db.session.scalar(db.select(Post).where(Post.slug == slug))
    db.session.refresh(post)
    assert post.view_count == 3
    assert db.session.scalar(db.select(PostView.count).where(PostView.post_id == post.id)) == 3


def test_ids_too_large_for_an_integer_column_are_refused_not_500(pg_app):
    from werkzeug.security import generate_password_hash

    from blog.models import Author, Post
    from tests.conftest import sign_in

    pg_app.config.update(COMMENT_MIN_SECONDS=0, WTF_CSRF_ENABLED=False)
    pg_app.test_cli_runner().invoke(args=["demo"])
    author = Author(name="Dr. P", email="p@example.org", password_hash=generate_password_hash("x"))
    db.session.add(author)
    db.session.commit()
    slug = db.session.scalar(db.select(Post.slug).limit(1))
    reader = pg_app.test_client()
    writer = pg_app.test_client()
    sign_in(writer, author)
    big = str(2**31)
    comment = {"name": "N", "body": "B", "parent_id": big}
    requests = [
        (reader, "GET", f"/post/{slug}?reply_to={big}", None, 200),
        (reader, "POST", f"/post/{slug}/comments", comment, 400),
        (writer, "POST", "/admin/comments/bulk", {"ids": [big], "action": "approve"}, 400),
        (writer, "POST", "/admin/posts/autosave", {"post_id": big, "title": "T", "body": "B"}, 400),
        (writer, "POST", "/admin/posts/new", {"title": "T", "cover_media_id": big}, 400),
        (writer, "GET", f"/admin/posts/{big}/edit", None, 404),
    ]
    for client, method, url, data, status in requests:
        response = client.open(url, method=method, data=data, headers=BROWSER)
        assert response.status_code == status, url


def test_nul_characters_never_reach_postgresql(pg_app):
    from blog.models import Comment, Post
    from tests.comment_helpers import form_data

    pg_app.config.update(COMMENT_MIN_SECONDS=0, WTF_CSRF_ENABLED=False, COMMENT_RATE_LIMIT="")
    pg_app.test_cli_runner().invoke(args=["demo"])
    client = pg_app.test_client()
    for url in ("/post/x%00y", "/tag/%00", "/tag/%00/feed.xml"):
        assert client.get(url).status_code == 404, url
    fields = {"email": "a\x00@b.org", "password": "x" * 12}
    assert client.post("/login", data=fields).status_code == 401  # a wrong password
    assert client.post("/login", json=fields).status_code == 415  # forms only
    post = db.session.scalar(db.select(Post).limit(1))
    with pg_app.test_request_context():
        comment = form_data(post, name="Li\x00nda", email="l\x00@x.org", body="Is\x00 it safe?")
    url = f"/post/{post.slug}/comments"
    assert client.post(url, data=comment, headers=BROWSER).status_code == 303
    stored = db.session.scalar(db.select(Comment).order_by(Comment.id.desc()).limit(1))
    assert (stored.author_name, stored.body_md) == ("Linda", "Is it safe?")


def test_bulk_commands_and_the_dashboard_on_postgresql(pg_app, tmp_path):
    import zipfile

    from werkzeug.security import generate_password_hash

    from blog.models import Author, Post
    from tests.conftest import sign_in

    runner = pg_app.test_cli_runner()
    runner.invoke(args=["demo"])
    assert "Re-rendered 4 posts" in runner.invoke(args=["rerender"]).output
    assert runner.invoke(args=["purge"]).exit_code == 0
    assert runner.invoke(args=["export", str(tmp_path / "export.zip")]).exit_code == 0
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        assert len([name for name in archive.namelist() if name.startswith("posts/")]) == 4
    author = Author(name="Dr. P", email="p@example.org", password_hash=generate_password_hash("x"))
    db.session.add(author)
    db.session.execute(db.update(Post).values(slug=Post.slug + "-old"))
    db.session.commit()
    posts_only = ["import", "--posts-only", str(tmp_path / "export.zip")]
    assert "Imported 4 posts." in runner.invoke(args=posts_only).output
    client = pg_app.test_client()
    sign_in(client, author)
    page = client.get("/admin/?sort=title&order=asc").text
    assert page.count('/edit">') == 8 and "Page 1 of" not in page
