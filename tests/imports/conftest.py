"""Fixtures for importing: the saved Wix blog, the WordPress and Ghost exports, served
from a local HTTP server (never the internet), with images generated here."""

import io
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import (
    Comment,
    ImportItem,
    Media,
    PathRedirect,
    Post,
    Revision,
    Settings,
    SlugRedirect,
    Tag,
    post_tags,
)
from tests.media_samples import gps_jpeg, image_bytes

FIXTURES = Path(__file__).parent / "fixtures"


def png(size=(640, 320), color=(30, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


IMAGES = {
    "wp-content/uploads/2019/03/cuff.jpg": lambda: gps_jpeg((800, 600)),
    "wp-content/uploads/2019/03/cuff-300x200.jpg": lambda: image_bytes((300, 200)),
    "wp-content/uploads/2019/04/sleep.png": png,
    "wp-content/uploads/2019/04/leaflet.pdf": lambda: b"%PDF-1.4 a leaflet",
    "media/aa11c0_walk~mv2.jpg": lambda: gps_jpeg((1200, 800)),
    "media/bb22d1_sun~mv2.jpg": lambda: image_bytes((1000, 667), color=(240, 200, 40)),
    "media/cc33e2_bed~mv2.png": lambda: png((500, 400), (200, 200, 220)),
    "ghost-images/2023/03/knee.jpg": lambda: gps_jpeg((1200, 800)),
    "ghost-images/2023/03/stairs.jpg": lambda: image_bytes((900, 600), color=(120, 80, 40)),
    "ghost-images/2023/05/toe.png": lambda: png((800, 600), (220, 120, 120)),
}


class Site:
    """A folder served over HTTP on 127.0.0.1; ``routes`` answers chosen paths itself."""

    def __init__(self, root: Path):
        self.root = root
        self.routes: dict[str, tuple[int, dict, bytes]] = {}
        self.requests: list[str] = []
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self):  # noqa: N802 - the standard library's name
                site.requests.append(self.path)
                path = unquote(urlsplit(self.path).path)
                if path in site.routes:
                    status, headers, body = site.routes[path]
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if path.startswith("/post/"):
                    self.path = f"/wix/post/{path[6:]}.html"
                elif path.endswith(".xml") and "/" not in path[1:]:
                    self.path = "/wix" + path
                super().do_GET()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def site(tmp_path):
    """The fixtures copied with {BASE} set to the server's address, and their images."""
    root = tmp_path / "site"
    served = Site(root)
    shutil.copytree(FIXTURES, root)
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".xml", ".html", ".json"):
            path.write_text(path.read_text(encoding="utf-8").replace("{BASE}", served.base))
    for name, make in IMAGES.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(make())
    served.thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


CONTENT_TABLES = [Post, Comment, Tag, Media, ImportItem, PathRedirect, SlugRedirect, Revision]


def snapshot(media_dir: str | None = None) -> dict:
    """Every row an import writes, and the media files: equal snapshots, nothing changed."""
    db.session.expire_all()
    rows = {}
    for model in CONTENT_TABLES:
        table = model.__table__
        rows[table.name] = [tuple(row) for row in db.session.execute(select(table)).all()]
    rows["post_tags"] = sorted(db.session.execute(select(post_tags)).all())
    rows["counts"] = {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in CONTENT_TABLES
    }
    settings = Settings.current()
    rows["about"] = settings.about_md
    if media_dir is not None:
        folder = Path(media_dir)
        rows["files"] = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    return rows


def import_site(runner, *args):
    return runner.invoke(args=["import-site", *map(str, args)])


def imported(slug: str) -> Post:
    """The post at ``slug`` as the database has it now."""
    db.session.expire_all()
    return db.session.scalar(select(Post).where(Post.slug == slug))
