"""A live server on 127.0.0.1 and headless Chromium (Debian's) driven by Playwright."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash
from werkzeug.serving import make_server

from blog import create_app
from blog.content import render_comment
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Comment, CommentStatus, Post, PostStatus
from blog.posts.writing import apply_rendering
from tests.conftest import base_config

CHROMIUM = os.environ.get("BLOG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("BLOG_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(migrated_template, tmp_path, config_overrides):
    path = tmp_path / "live.sqlite3"
    shutil.copy(migrated_template, path)
    app = create_app({**base_config(path, tmp_path), **config_overrides})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def demo_site(live_app):
    """The live app with the sample posts, comments and about page loaded."""
    with live_app.app_context():
        live_app.test_cli_runner().invoke(args=["demo"])
        db.session.remove()
    return live_app


@pytest.fixture
def post_with_comment(live_app):
    """A published post, /post/sleep, with one approved comment; their ids."""
    with live_app.app_context():
        author = Author(name="Dr. Test", credentials="MD")
        post = Post(
            author=author,
            title="Sleep and the heart",
            slug="sleep",
            body_md="Sleep *matters*.",
            status=PostStatus.PUBLISHED,
            published_at=utcnow(),
        )
        apply_rendering(post)
        comment = Comment(
            post=post,
            author_name="Ann",
            body_md="Does napping count?",
            body_html=render_comment("Does napping count?"),
            status=CommentStatus.APPROVED,
        )
        post.comment_count = 1
        db.session.add_all([author, post, comment])
        db.session.commit()
        ids = {"post": post.id, "comment": comment.id}
        db.session.remove()
    return ids


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.js_errors = errors
    yield page
    context.close()


def sign_in_page(page, base_url: str, email: str, password: str, keep: bool = False) -> None:
    """Sign in through /login in the browser (ticking "Keep me signed in" if ``keep``) and
    land on the dashboard."""
    page.goto(base_url + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    if keep:
        page.get_by_label("Keep me signed in on this device").check()
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/admin/")


PASSWORD = "correct horse battery staple"


def add_author(live_app) -> None:
    """The author who signs in: ada@example.org, with PASSWORD."""
    with live_app.app_context():
        db.session.add(
            Author(
                name="Dr. Ada Lovelace",
                email="ada@example.org",
                password_hash=generate_password_hash(PASSWORD),
            )
        )
        db.session.commit()
        db.session.remove()


@pytest.fixture
def signed_in_page(page, live_server, live_app):
    add_author(live_app)
    sign_in_page(page, live_server.url, "ada@example.org", PASSWORD)
    page.dialogs = []

    def leave(dialog):
        page.dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    return page


def stored_posts(live_app) -> list[Post]:
    with live_app.app_context():
        posts = list(db.session.scalars(Post.with_text()))
        db.session.remove()
        return posts
