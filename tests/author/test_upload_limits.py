"""Upload size limit (BLOG_MAX_UPLOAD_MB) and CSRF on the upload endpoint."""

import io
import os
import re

import pytest

from blog import create_app
from tests.conftest import base_config
from tests.media_samples import image_bytes, upload


@pytest.fixture
def config_overrides():
    return {"MAX_UPLOAD_MB": 0.05}


def test_max_upload_mb_sets_the_request_limit(app, tmp_path):
    assert app.config["MAX_CONTENT_LENGTH"] == 52428
    default = create_app(base_config(tmp_path / "other.sqlite3", tmp_path))
    assert default.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024


def test_too_large_upload_is_413_with_a_message_for_the_editor(author_client, app):
    response = upload(author_client, os.urandom(80_000), headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.get_json() == {
        "error": "This file is larger than the 0.05 MB upload limit. Export a smaller version "
        "(a phone photo's 'medium' size is plenty) and try again."
    }
    assert not os.path.exists(app.config["MEDIA_DIR"]) or not os.listdir(app.config["MEDIA_DIR"])


def test_too_large_upload_from_the_script_is_json(author_client):
    response = upload(author_client, os.urandom(80_000))
    assert response.status_code == 413
    assert "0.05 MB upload limit" in response.get_json()["error"]


def test_too_large_upload_from_the_library_form_shows_the_page(author_client):
    response = upload(author_client, os.urandom(80_000), headers={"Accept": "text/html"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Media library" in page
    assert "larger than the 0.05 MB upload limit" in page


def test_too_large_picture_from_settings_shows_the_settings_page(author_client):
    form = {"logo-file": (io.BytesIO(os.urandom(80_000)), "logo.png", "image/png")}
    response = author_client.post("/admin/settings/pictures/logo", data=form)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Logo was not changed" in page and "larger than the 0.05 MB upload limit" in page


def test_too_large_anonymous_post_never_shows_the_library(client):
    response = upload(client, os.urandom(80_000), headers={"Accept": "text/html"})
    assert response.status_code in (302, 413)
    assert "Media library" not in response.get_data(as_text=True)


def test_an_upload_under_the_limit_passes(author_client):
    assert upload(author_client, image_bytes((200, 100))).status_code == 200


class TestCsrf:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_upload_without_a_token_is_refused(self, author_client):
        response = upload(author_client, image_bytes((200, 100)))
        assert response.status_code == 400
        assert "The page was open too long" in response.get_json()["error"]

    def test_upload_with_the_token_in_a_header_or_field_passes(self, author_client):
        page = author_client.get("/admin/media/library").get_data(as_text=True)
        token = re.search(r'type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
        headers = {"X-CSRFToken": token, "Accept": "application/json"}
        assert upload(author_client, image_bytes((200, 100)), headers=headers).status_code == 200
        response = author_client.post(
            "/admin/media",
            data={
                "csrf_token": token,
                "alt": "Second",
                "file": (io.BytesIO(image_bytes((210, 100))), "b.jpg"),
            },
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200

    def test_library_forms_without_a_token_are_refused(self, author_client):
        response = author_client.post("/admin/media/1/delete", headers={"Accept": "text/html"})
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)


class TestCsrfAndLimit:
    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True, "MAX_UPLOAD_MB": 0.05}

    def test_too_large_upload_with_a_token_is_still_413(self, author_client):
        page = author_client.get("/admin/media/library").get_data(as_text=True)
        token = re.search(r'type="hidden" name="csrf_token" value="([^"]+)"', page).group(1)
        headers = {"X-CSRFToken": token, "Accept": "application/json"}
        response = upload(author_client, os.urandom(80_000), headers=headers)
        assert response.status_code == 413
        assert "0.05 MB upload limit" in response.get_json()["error"]

    def test_too_large_anonymous_post_is_sent_to_sign_in_without_the_library(self, client):
        response = upload(client, os.urandom(80_000), headers={"Accept": "text/html"})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert "Media library" not in response.get_data(as_text=True)
