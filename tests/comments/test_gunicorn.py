"""20 readers posting 200 comments at once against a real gunicorn server on SQLite:
every comment stored, no server error, the count right."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Comment, CommentStatus, Moderation, Post
from tests.comment_helpers import change_settings

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
THREADS = 20
COMMENTS_EACH = 10
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(app, tmp_path, **settings: str) -> dict:
    """What a gunicorn started by a test needs: the test's database, handed over (the
    test's connections closed), a secret key, a media folder, and ``settings``."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()
    return {
        **os.environ,
        "BLOG_SECRET_KEY": "load-test-secret-" + "0" * 32,
        "BLOG_DATABASE_URL": database,
        "BLOG_MEDIA_DIR": str(tmp_path / "media"),
        **settings,
    }


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("gunicorn exited while starting")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /healthz")


@contextmanager
def gunicorn_running(arguments: list[str], env: dict, base: str):
    """gunicorn (``arguments`` after the executable) started from the project's folder,
    answering at ``base``; killed, with everything it started, if the test leaves it
    running. Stop it cleanly with ``stop_cleanly``."""
    server = subprocess.Popen(
        [str(GUNICORN), *arguments], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(base, server)
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)


def stop_cleanly(server: subprocess.Popen) -> int:
    """SIGTERM to gunicorn's master, as systemd stops it; its exit status."""
    server.send_signal(signal.SIGTERM)
    return server.wait(timeout=30)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def reader(base: str, slug: str, number: int, statuses: list, errors: list) -> None:
    """One reader: load the post for its form, then post ten comments."""
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
        opener.addheaders = [("User-Agent", AGENT)]
        with opener.open(f"{base}/post/{slug}", timeout=30) as response:
            page = response.read().decode()
        fields = {
            "started": re.search(r'<input[^>]*name="started"[^>]*value="([^"]*)"', page).group(1)
        }
        for index in range(COMMENTS_EACH):
            data = urllib.parse.urlencode(
                {
                    **fields,
                    "name": f"Reader {number}",
                    "email": f"reader{number}@example.org",
                    "body": f"Comment {index} from reader {number}.",
                    "parent_id": "",
                    "website": "",
                }
            ).encode()
            try:
                with opener.open(f"{base}/post/{slug}/comments", data=data, timeout=30) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    except Exception as error:  # noqa: BLE001 - reported by the test, not lost in a thread
        errors.append(repr(error))


def test_twenty_threads_post_two_hundred_comments(app, make_post, tmp_path):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Busy post")
    slug, post_id = post.slug, post.id
    env = server_environment(
        app, tmp_path, BLOG_COMMENT_MIN_SECONDS="0", BLOG_COMMENT_RATE_LIMIT="10000 per minute"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    arguments = ["--workers", "3", "--threads", "4", "--bind", f"127.0.0.1:{port}",
                 "--timeout", "60", "--error-logfile", str(log), "wsgi:app"]  # fmt: skip
    statuses: list[int] = []
    errors: list[str] = []
    with gunicorn_running(arguments, env, base) as server:
        threads = [
            threading.Thread(target=reader, args=(base, slug, number, statuses, errors))
            for number in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "readers did not finish"
        stop_cleanly(server)

    assert errors == []
    assert [code for code in statuses if code >= 500] == []
    assert statuses == [303] * (THREADS * COMMENTS_EACH)
    stored = db.session.scalar(select(func.count(Comment.id)).where(Comment.post_id == post_id))
    assert stored == THREADS * COMMENTS_EACH
    approved = db.session.scalar(
        select(func.count(Comment.id)).where(Comment.status == CommentStatus.APPROVED)
    )
    assert approved == stored
    assert db.session.get(Post, post_id).comment_count == stored
