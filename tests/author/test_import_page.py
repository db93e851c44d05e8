"""The Import page: an uploaded export (or a Wix address) imported by the same code as
`flask import-site`, in a thread of its own, with its progress on a page."""

import io
import threading
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import ImportRun, Post
from tests.conftest import page_text
from tests.imports.conftest import snapshot

JSON = {"X-Requested-With": "fetch", "Accept": "application/json"}


def finish_imports() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("import-run-"):
            thread.join(timeout=120)


def ghost_zip(site) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(site.root / "ghost/export.json", "joint-notes.ghost.json")
        for path in (site.root / "ghost-images").rglob("*.*"):
            relative = path.relative_to(site.root / "ghost-images")
            archive.write(path, f"content/images/{relative}")
    return buffer.getvalue()


def send(client, data: bytes | None = None, name="export.zip", action="import", **fields):
    form = {"action": action, "pages_as": "about", **fields}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    response = client.post("/admin/import", data=form, content_type="multipart/form-data")
    finish_imports()
    return response


def test_the_page_offers_a_file_or_an_address(author_client):
    page = author_client.get("/admin/import")
    text = page_text(page)
    assert page.status_code == 200
    assert "Move your blog here" in text and "Export file" in text
    assert "Or your Wix site's address" in text and "Check first" in text
    assert 'enctype="multipart/form-data"' in text and 'name="csrf_token"' in text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/admin/import").headers["Location"].startswith("/login")
    response = client.post("/admin/import", data={"address": "https://example.com"})
    assert response.status_code in (302, 401)
    assert db.session.scalar(select(func.count(ImportRun.id))) == 0


def test_an_uploaded_ghost_zip_is_imported_with_progress_and_a_summary(author_client, site, app):
    response = send(author_client, ghost_zip(site))
    assert response.status_code == 303
    run_url = response.headers["Location"]
    state = author_client.get(run_url, headers=JSON).get_json()
    assert state["finished"] and state["status"] == "done"
    text = page_text(author_client.get(run_url))
    assert "Imported 4 posts, 0 comments, 3 images; 2 warnings." in text
    assert "Created: “Knee pain on stairs” at /post/knee-pain-on-stairs" in text
    assert "The export names 2 authors" in text
    knee = page_text(author_client.get("/post/knee-pain-on-stairs"))
    assert "Pain going <em>down</em> stairs" in knee
    assert not list((Path(app.instance_path) / "imports").glob("*"))  # the upload is gone


def test_check_first_writes_nothing_then_imports_on_request(author_client, site, app):
    before = snapshot(app.config["MEDIA_DIR"])
    response = send(author_client, ghost_zip(site), action="check")
    run_url = response.headers["Location"]
    text = page_text(author_client.get(run_url))
    assert "Dry run: would import 4 posts, 0 comments, 3 images" in text
    assert "What would be imported" in text and "New post: “Gout: the night-time toe”" in text
    assert snapshot(app.config["MEDIA_DIR"]) == before
    run_id = int(run_url.rsplit("/", 1)[1])
    response = author_client.post(f"/admin/import/{run_id}/run")
    finish_imports()
    assert response.status_code == 303
    assert "Imported 4 posts" in page_text(author_client.get(response.headers["Location"]))
    assert db.session.scalar(select(func.count(Post.id))) == 4


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose an export file, or enter your Wix site's address"),
        ({"address": "ftp://example.com"}, "starting with https://"),
    ],
)
def test_a_form_without_a_source_is_sent_back_with_the_reason(author_client, fields, message):
    response = send(author_client, None, **fields)
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(select(func.count(ImportRun.id))) == 0


def test_a_zip_slip_upload_is_refused_and_changes_nothing(author_client, app):
    before = snapshot(app.config["MEDIA_DIR"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../../evil.json", '{"db": []}')
    response = send(author_client, buffer.getvalue(), name="my-old-blog.zip")
    text = page_text(author_client.get(response.headers["Location"]))
    assert "zip slip" in text and "Nothing was imported." in text
    assert "my-old-blog.zip is refused" in text  # the name she uploaded, not a stored one
    assert snapshot(app.config["MEDIA_DIR"]) == before


def test_a_wix_address_on_a_private_network_is_refused(author_client, site):
    response = send(author_client, None, address=site.base)
    text = page_text(author_client.get(response.headers["Location"]))
    assert "a private network address" in text
    assert site.requests == []


class TestLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"IMPORT_MAX_MB": 0.01}

    def test_an_export_over_the_limit_gets_a_message_not_an_error_page(self, author_client):
        response = send(author_client, b"{" + b" " * 20_000 + b"}", name="big.json")
        assert response.status_code == 413
        text = page_text(response)
        assert "This file is larger than the 10.2 kB limit for imports" in text
        assert "Move your blog here" in text
