"""Configuration layers and SQLite connection settings."""

import runpy

import pytest
from sqlalchemy import text

from blog import create_app, database_url
from blog.extensions import db
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def empty_instance(tmp_path, monkeypatch):
    """Each test gets its own instance folder, so the developer's instance/ is not read."""
    from flask import Flask

    instance = tmp_path / "instance"
    instance.mkdir()
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(instance))
    return instance


@pytest.mark.parametrize("weak", ["changeme", "dev", "x" * 31])
def test_refuses_a_short_secret_key(tmp_path, monkeypatch, weak):
    monkeypatch.setenv("BLOG_SECRET_KEY", weak)
    with pytest.raises(RuntimeError, match="shorter than 32"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("BLOG_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("BLOG_SECRET_KEY", "from-env-" + "e" * 32)
    monkeypatch.setenv("BLOG_POSTS_PER_PAGE", "7")
    monkeypatch.setenv("BLOG_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env-" + "e" * 32
    assert app.config["POSTS_PER_PAGE"] == 7
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.sqlite3"


def test_instance_config_is_read_before_environment(monkeypatch, empty_instance):
    instance = empty_instance
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-file-' + 'f' * 32\nPOSTS_PER_PAGE = 3\n"
    )
    monkeypatch.setenv("BLOG_POSTS_PER_PAGE", "5")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file-" + "f" * 32
    assert app.config["POSTS_PER_PAGE"] == 5
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance}/blog.sqlite3"


def test_upload_limit_sets_max_content_length(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("", "sqlite:////srv/blog.sqlite3"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url(given, expected):
    assert database_url(given, "/srv/blog.sqlite3") == expected


def test_sqlite_connections_are_tuned(app):
    with db.engine.connect() as connection:
        pragma = lambda name: connection.execute(text(f"PRAGMA {name}")).scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 1  # NORMAL
        assert pragma("busy_timeout") == 10_000


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_gunicorn_recycles_workers_rarely_and_not_both_at_once():
    """A flood of cheap refusals reached 2,000 requests a worker in 22 s and restarted both
    workers within a second: readers' pages went 4 s without an answer (make bench-flood)."""
    config = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert config["max_requests"] >= 10_000
    assert config["max_requests_jitter"] >= config["max_requests"] // 2


def test_warm_compiles_every_template_before_gunicorn_forks_the_workers(app):
    from blog import warm

    warm(app)
    compiled = {name for _loader, name in app.jinja_env.cache.keys()}
    assert "public/post.html" in compiled and "author/editor.html" in compiled
    assert compiled >= set(app.jinja_env.list_templates(extensions=("html", "xml", "txt")))
