"""The shipped nginx site in front of gunicorn with deploy/gunicorn.conf.py, as on the VPS:
pages, static files, media, gzip, the upload limit, the reader's address and scheme,
request ids in both logs, and host names that get no answer. Both servers are stopped
at the end of the module.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from blog import create_app
from blog.extensions import db
from blog.models import Post
from tests.conftest import base_config
from tests.deploy.nginx_site import NAME, ROOT, free_port, nginx_command, prepare

GUNICORN = Path(sys.executable).parent / "gunicorn"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
MEDIA_NAME = "0f1e2d3c4b5a69788796-480.jpg"

pytestmark = pytest.mark.slow


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class TLSTo127(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1, asking the TLS handshake for ``name`` (SNI), from ``source``."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class Stack:
    folder: Path
    http_port: int
    https_port: int
    slug: str
    tls: ssl.SSLContext

    def ask(self, path, *, method="GET", body=None, headers=None, source="127.0.0.1",
            name=NAME, host=None, secure=True) -> Answer:  # fmt: skip
        """One request to nginx, as a browser at ``source`` asking for ``host``."""
        if secure:
            connection = TLSTo127(
                name, self.https_port, context=self.tls, timeout=15, source_address=(source, 0)
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=15, source_address=(source, 0)
            )
        sent = {"Host": host or name, "User-Agent": AGENT, **(headers or {})}
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def app_log(self) -> str:
        return (self.folder / "gunicorn.access.log").read_text()

    def app_log_line(self, request_id: str) -> str:
        """gunicorn's access log line for a request (written just after its response)."""
        for _ in range(50):
            found = [line for line in self.app_log().splitlines() if f"id={request_id}" in line]
            if found:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"no access log line for {request_id}:\n{self.app_log()}")


def stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def wait_until_served(stack: Stack, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            break
        try:
            if stack.ask("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    logs = {
        name: (stack.folder / name).read_text(errors="replace")
        for name in ("error.log", "nginx.stderr", "gunicorn.error.log")
        if (stack.folder / name).exists()
    }
    raise AssertionError(f"nginx and gunicorn did not serve /healthz: {logs}")


def sample_site(folder: Path, template: Path) -> tuple[Path, str]:
    """A migrated SQLite database with the sample content; its path and a post's slug."""
    database = folder / "blog.sqlite3"
    shutil.copy(template, database)
    app = create_app(base_config(database, folder))
    with app.app_context():
        app.test_cli_runner().invoke(args=["demo"])
        slug = db.session.scalars(select(Post.slug).order_by(Post.id)).first()
        db.session.remove()
        db.engine.dispose()
    return database, slug


@pytest.fixture(scope="module")
def stack(tmp_path_factory, migrated_template):
    folder = tmp_path_factory.mktemp("stack")
    app_port = free_port()
    config, http_port, https_port = prepare(folder, app_port)
    database, slug = sample_site(folder, migrated_template)
    (folder / "media" / MEDIA_NAME).write_bytes(b"\xff\xd8\xff\xe0 not really a photo")
    (folder / "acme/.well-known/acme-challenge/renewal-token").write_text("renewal-token.key")

    env = {
        **os.environ,
        "ROUNDS_BIND": f"127.0.0.1:{app_port}",
        "ROUNDS_WORKERS": "1",  # one worker: the in-memory rate limits see every request
        "BLOG_SECRET_KEY": "nginx-stack-test-secret-" + "0" * 32,
        "BLOG_DATABASE_URL": f"sqlite:///{database}",
        "BLOG_MEDIA_DIR": str(folder / "media"),
        "BLOG_PROXY_COUNT": "1",
        "BLOG_COMMENT_MIN_SECONDS": "0",
        "BLOG_COMMENT_RATE_LIMIT": "1 per minute",
        # As under the sandboxed unit: a home where nothing can be written.
        "HOME": "/proc/rounds-home",
    }
    for name in ("XDG_RUNTIME_DIR", "BLOG_SITE_URL"):
        env.pop(name, None)
    gunicorn = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=(folder / "gunicorn.access.log").open("wb"),
        stderr=(folder / "gunicorn.error.log").open("wb"),
    )  # fmt: skip
    nginx = subprocess.Popen(
        nginx_command(config, folder), cwd=folder, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=(folder / "nginx.stderr").open("wb"),
    )  # fmt: skip
    tls = ssl.create_default_context(cafile=str(folder / "tls" / "fullchain.pem"))
    found = Stack(folder, http_port, https_port, slug, tls)
    try:
        wait_until_served(found, [gunicorn, nginx])
        yield found
    finally:
        stop(nginx, signal.SIGQUIT)
        stop(gunicorn, signal.SIGTERM)


def test_a_page_through_nginx_knows_it_was_asked_for_over_https(stack):
    page = stack.ask(f"/post/{stack.slug}")
    assert page.status == 200
    assert "<article" in page.text
    # X-Forwarded-Proto reached the app: it sends HSTS only on a secure request.
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert page.headers["Server"] == "nginx"  # server_tokens off: no version
    feed = stack.ask("/feed.xml").text
    assert f"https://{NAME}/post/{stack.slug}" in feed  # the public scheme and host name


def test_the_reader_address_reaches_the_app_and_a_forged_one_does_not(stack):
    def comment(source: str, headers: dict | None = None) -> Answer:
        page = stack.ask(f"/post/{stack.slug}", source=source)
        assert "Set-Cookie" not in page.headers  # the same page for every reader
        fields = {
            name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page.text).group(1)
            for name in ("started",)
        }
        form = {**fields, "name": f"Reader at {source}", "email": "", "website": "",
                "parent_id": "", "body": "Thank you for writing this."}  # fmt: skip
        return stack.ask(
            f"/post/{stack.slug}/comments",
            method="POST",
            body=urllib.parse.urlencode(form),
            source=source,
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Referer": f"https://{NAME}/post/{stack.slug}", **(headers or {})},
        )  # fmt: skip

    # The limit is one comment a minute per reader address.
    first = comment("127.0.0.2")
    assert first.status == 303
    assert comment("127.0.0.2").status == 429
    assert comment("127.0.0.3").status == 303  # another reader, not nginx's one address
    forged = comment("127.0.0.4", {"X-Forwarded-For": "127.0.0.2"})
    assert forged.status == 303  # the forged header named the limited reader: ignored

    line = stack.app_log_line(first.headers["X-Request-Id"])
    assert line.startswith("127.0.0.2 ")
    assert f'"POST /post/{stack.slug}/comments HTTP/1.1" 303 ' in line
    assert re.search(r" \d+ms id=[0-9a-f]{32} ", line)


def test_every_response_names_its_request_in_both_logs(stack):
    answer = stack.ask("/login")  # never from nginx's micro-cache: the app answers it
    request_id = answer.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, kept by the app
    stack.app_log_line(request_id)
    for _ in range(50):
        if f"id={request_id}" in (stack.folder / "rounds.access.log").read_text():
            break
        time.sleep(0.1)
    else:
        raise AssertionError("nginx's access log does not name the request")


def test_static_files_come_from_nginx_under_versioned_urls(stack):
    page = stack.ask("/").text
    href = re.search(r'<link rel="stylesheet" href="(/static/css/site\.css\?v=\w+)"', page)[1]
    sheet = stack.ask(href)
    assert sheet.status == 200
    assert sheet.body == (ROOT / "blog" / "static" / "css" / "site.css").read_bytes()
    assert sheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert sheet.headers["Content-Type"] == "text/css"
    assert "Content-Security-Policy" not in sheet.headers  # nginx's answer, not the app's
    assert "/static/" not in stack.app_log()
    plain = stack.ask("/static/css/site.css")
    assert plain.headers["Cache-Control"] == "no-cache"


def test_media_files_come_from_nginx_cached_for_a_year(stack):
    image = stack.ask(f"/media/{MEDIA_NAME}")
    assert image.status == 200
    assert image.body == (stack.folder / "media" / MEDIA_NAME).read_bytes()
    assert image.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'"
    assert stack.ask("/media/missing-480.jpg").status == 404


def test_pages_and_stylesheets_are_gzipped_for_clients_that_ask(stack):
    for path in ("/", "/static/css/site.css"):
        answer = stack.ask(path, headers={"Accept-Encoding": "gzip"})
        assert answer.headers["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in answer.headers["Vary"], path
        assert len(gzip.decompress(answer.body)) > len(answer.body), path
    assert "Content-Encoding" not in stack.ask("/").headers


def test_an_oversize_upload_is_refused_by_nginx(stack):
    answer = stack.ask(
        "/admin/media",
        method="POST",
        body=b"x" * (13 * 1024 * 1024),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert answer.status == 413
    assert "nginx/" not in answer.text  # no version on nginx's own pages
    assert "POST /admin/media" not in stack.app_log()


def test_plain_http_goes_to_https_except_certificate_renewals(stack):
    moved = stack.ask(f"/post/{stack.slug}?page=2", secure=False)
    assert moved.status == 301
    assert moved.headers["Location"] == f"https://{NAME}/post/{stack.slug}?page=2"
    renewal = stack.ask("/.well-known/acme-challenge/renewal-token", secure=False)
    assert (renewal.status, renewal.text) == (200, "renewal-token.key")


def test_other_host_names_get_no_answer(stack):
    with pytest.raises(http.client.RemoteDisconnected):
        stack.ask("/", secure=False, host="evil.example")
    with pytest.raises(ssl.SSLError):
        stack.ask("/", name="evil.example")  # TLS handshake refused
    with pytest.raises(http.client.RemoteDisconnected):
        stack.ask("/", host="evil.example")  # right name in TLS, another in Host


def test_gunicorn_starts_cleanly_without_a_writable_home(stack):
    errors = (stack.folder / "gunicorn.error.log").read_text()
    assert "Booting worker" in errors
    assert "[ERROR]" not in errors and "Control server" not in errors


def test_scheme_headers_a_client_adds_change_nothing(stack):
    """nginx replaces X-Forwarded-Proto; others a client sends reach gunicorn as sent and
    must neither refuse the request nor make it look plain HTTP."""
    for header in ({"X-Forwarded-Ssl": "off"}, {"X-Forwarded-Protocol": "http"},
                   {"X-Forwarded-Proto": "http"}):  # fmt: skip
        page = stack.ask("/login", headers=header)
        assert page.status == 200, header
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000", header


def test_a_strangers_import_is_turned_away_before_nginx_keeps_the_body(stack):
    """The Import page takes 200 MB: nginx passes it on as it arrives, so a stranger's is
    refused by the app after the first bytes instead of being written to nginx's disk
    first (nginx would wait for the rest, and never answer this client)."""
    connection = TLSTo127(NAME, stack.https_port, context=stack.tls, timeout=30)
    try:
        connection.putrequest("POST", "/admin/import", skip_host=True)
        for name, value in (("Host", NAME), ("User-Agent", AGENT),
                            ("Content-Type", "application/octet-stream"),
                            ("Content-Length", str(150 * 1024 * 1024))):  # fmt: skip
            connection.putheader(name, value)
        connection.endheaders(b"x" * 65536)  # and nothing more
        response = connection.getresponse()
        assert response.status == 302
        assert response.headers["Location"].startswith("/login")
    finally:
        connection.close()


def test_a_flood_of_searches_from_one_address_is_refused_by_nginx(stack):
    """The app explains its own limit (30 a minute here, one worker); past a burst of 60
    nginx refuses a client's searches itself, so no more than one a second of a flood
    reaches the app (which of the last requests that one is depends on the clock)."""
    started = time.monotonic()
    answers = [stack.ask(f"/search?q=flood{n}", source="127.0.0.21") for n in range(90)]
    seconds = time.monotonic() - started  # nginx lets one more through each second
    assert answers[0].status == 200
    by_app = [answer for answer in answers if "many searches" in answer.body.decode()]
    by_nginx = [answer for answer in answers if b"<center>nginx</center>" in answer.body]
    assert by_app and all(answer.status == 429 for answer in by_app)
    assert len(by_nginx) >= 20 and all(answer.status == 429 for answer in by_nginx)
    reached = stack.app_log().count('"GET /search?q=flood')
    assert reached == len(answers) - len(by_nginx) <= 61 + seconds + 1
    assert stack.ask("/search?q=flood", source="127.0.0.22").status == 200  # another reader
    assert stack.ask(f"/post/{stack.slug}", source="127.0.0.21").status == 200  # not pages
