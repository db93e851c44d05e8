"""Fixtures: an app on a freshly migrated SQLite file per test, clients and factories."""

import contextvars
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2 import BytecodeCache

from blog import create_app
from blog.content import render_comment, render_post
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Comment, CommentStatus, Post, PostStatus
from blog.posts.images import media_for
from blog.posts.writing import apply_rendering, set_tags, unique_slug
from tests.smtp import inbox, smtp_port  # noqa: F401 - fixtures: a real SMTP server

ROOT = Path(__file__).resolve().parent.parent
# A copy of ../shared/corpus (payloadbox xss-payload-list, MIT licence beside it).
CORPUS = ROOT / "tests" / "data"


def base_config(database_path: Path, tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-for-rounds-tests-only",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MEDIA_DIR": str(tmp_path / "media"),
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """An empty database upgraded once by Alembic; each test gets a copy."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    app = create_app(base_config(path, folder))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    return path


@pytest.fixture
def config_overrides() -> dict:
    """Override in a test module to change the app's config."""
    return {}


class SharedTemplateCache(BytecodeCache):
    """Compiled templates shared by every test's app, so each test doesn't compile them."""

    compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh context, as under gunicorn.

    The test's own application context (see ``app_context``) is never shared with a
    request, so nothing in ``g`` or in the test's database session leaks into a request
    or back. The test's session is committed first: the request sees the test's rows, and
    the test reloads what the request changed.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        # Read whole and closed, as a server does once it has sent the response (the
        # response's close hooks run then: a page is stored after it is sent).
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(migrated_template, tmp_path, config_overrides):
    """The application, on a fresh copy of the migrated database; no context is pushed."""
    path = tmp_path / "blog.sqlite3"
    shutil.copy(migrated_template, path)
    app = create_app({**base_config(path, tmp_path), **config_overrides})
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = SharedTemplateCache()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def app_context(request):
    """An application context for the test's own database work (factories, assertions);
    requests never share it (IsolatedClient)."""
    if "app" not in request.fixturenames:
        yield None
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def author(app) -> Author:
    """An author who can sign in (password "correct horse battery")."""
    from werkzeug.security import generate_password_hash

    person = Author(
        name="Dr. Ada Lovelace",
        credentials="MD, Cardiology",
        email="ada@example.org",
        password_hash=generate_password_hash("correct horse battery"),
    )
    db.session.add(person)
    db.session.commit()
    return person


@pytest.fixture
def make_post(app):
    """Factory for posts; published an hour ago unless told otherwise."""
    default_author = []

    def factory(title="A post", body="Some *text*.", status=PostStatus.PUBLISHED, **fields):
        author = fields.pop("author", None)
        if author is None:
            if not default_author:
                default_author.append(Author(name="Dr. Test", credentials="MD"))
                db.session.add(default_author[0])
            author = default_author[0]
        tags = fields.pop("tags", "")
        if status != PostStatus.DRAFT:
            fields.setdefault("published_at", utcnow() - timedelta(hours=1))
        post = Post(
            author=author,
            title=title,
            slug=fields.pop("slug", None) or unique_slug(title),
            body_md=body,
            status=status,
            **fields,
        )
        db.session.add(post)
        # Rendered here, not in a child process: the factory is scaffolding, not the path
        # under test (tests/author/test_bounded_rendering.py covers that one).
        apply_rendering(post, render_post(body, media_for(body).get))
        set_tags(post, tags)
        db.session.commit()
        return post

    return factory


@pytest.fixture
def make_comment(app):
    def factory(post, body="Thank you!", name="Reader", status=CommentStatus.APPROVED, **fields):
        comment = Comment(
            post=post,
            author_name=name,
            body_md=body,
            body_html=render_comment(body),
            status=status,
            **fields,
        )
        db.session.add(comment)
        if status == CommentStatus.APPROVED:
            post.comment_count += 1
        db.session.commit()
        return comment

    return factory


def sign_in(client, author, remember: bool = False):
    """Start a server-side session for the author and put it in the client's cookie, as
    /login would (without the password round trip)."""
    from blog.accounts import sessions

    sessions.start(author, remember, "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = author.get_id()
        session["_fresh"] = True
        session.permanent = remember


def page_text(response) -> str:
    """The response body with HTML entities decoded, for asserting on visible text."""
    import html

    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def author_client(client, author):
    """A test client signed in as the author."""
    sign_in(client, author)
    return client
