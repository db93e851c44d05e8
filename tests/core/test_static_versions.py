"""Static files under versioned URLs: a new file content is a new URL, cached for a year."""

import hashlib
import re
from pathlib import Path

from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "blog" / "static"


def version_of(url: str) -> str:
    return re.search(r"[?&]v=([0-9a-f]+)", url).group(1)


def test_pages_link_their_stylesheet_by_its_content_hash(client, make_post):
    make_post("Sleep")
    page = client.get("/post/sleep").get_data(as_text=True)
    link = re.search(r'<link rel="stylesheet" href="([^"]+site\.css[^"]*)"', page).group(1)
    expected = hashlib.sha256((STATIC / "css" / "site.css").read_bytes()).hexdigest()[:12]
    assert link == f"/static/css/site.css?v={expected}"


def test_the_url_changes_when_the_file_does(app, tmp_path):
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "site.css"
    sheet.write_text("body { color: black; }")
    app.static_folder = str(folder)
    with app.test_request_context():
        first = url_for("static", filename="css/site.css")
        assert url_for("static", filename="css/site.css") == first
        sheet.write_text("body { color: #222; background: white; }")
        second = url_for("static", filename="css/site.css")
        sheet.write_text("body { color: black; }")
        again = url_for("static", filename="css/site.css")
    assert first.startswith("/static/css/site.css?v=")
    assert second != first
    assert again == first


def test_a_missing_file_gets_a_plain_url(app):
    with app.test_request_context():
        assert url_for("static", filename="css/none.css") == "/static/css/none.css"
        assert url_for("static", filename="../config.py") == "/static/../config.py"


def test_a_versioned_file_is_cached_for_a_year_and_others_are_revalidated(client):
    with client.application.test_request_context():
        versioned = url_for("static", filename="css/site.css")
    current = client.get(versioned)
    assert current.status_code == 200
    assert current.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for stale in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"], stale
        assert "no-cache" in response.headers["Cache-Control"], stale
