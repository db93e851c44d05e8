"""The author's text renders in a child process with a time budget: Python-Markdown is
quadratic on some input, and one preview must never hold the CPU or the write lock."""

import pytest
from sqlalchemy import func, select

from blog.core.bounded import TooComplex, run_bounded
from blog.extensions import db
from blog.models import Post, Revision
from tests.conftest import page_text

NESTED = "- " * 2400 + "a"  # a RecursionError inside Python-Markdown
BRACKETS = "[" * 8000  # about 20 s of CPU at full speed
SCRIPT = {"X-Requested-With": "fetch"}


@pytest.fixture
def config_overrides():
    return {"POST_RENDER_SECONDS": 1}


@pytest.mark.parametrize("body", [NESTED, BRACKETS], ids=["nested", "brackets"])
def test_a_save_that_cannot_render_in_time_is_a_400_with_the_text_kept(author_client, body):
    data = {"title": "Pasted", "body": body, "status": "draft"}
    response = author_client.post("/admin/posts/new", data=data)
    assert response.status_code == 400
    assert "too intricate to render in time" in page_text(response)
    assert body[:3000] in page_text(response)
    assert db.session.scalar(select(func.count(Post.id))) == 0


def renders(monkeypatch, refuse: bool) -> list:
    """Every rendering the request asks for, each refused or done as usual."""
    tries = []

    def counted(*args, **kwargs):
        tries.append(args)
        if refuse:
            raise TooComplex("out of CPU time")
        return run_bounded(*args, **kwargs)

    monkeypatch.setattr("blog.posts.writing.run_bounded", counted)
    return tries


def test_a_save_refused_as_too_intricate_renders_once_not_twice(author_client, monkeypatch):
    tries = renders(monkeypatch, refuse=True)
    data = {"title": "Pasted", "body": BRACKETS, "status": "draft"}
    response = author_client.post("/admin/posts/new", data=data)
    assert response.status_code == 400 and BRACKETS in page_text(response)
    assert len(tries) == 1  # the page shows no preview rather than trying again


def test_a_save_refused_for_its_date_shows_the_preview_it_rendered(author_client, monkeypatch):
    tries = renders(monkeypatch, refuse=False)
    data = {"title": "Later", "body": "Some **bold** text", "status": "scheduled"}
    response = author_client.post("/admin/posts/new", data=data)
    assert response.status_code == 400 and "The post was not saved" in page_text(response)
    assert "<strong>bold</strong>" in response.text
    assert len(tries) == 1


@pytest.mark.parametrize("body", [NESTED, BRACKETS], ids=["nested", "brackets"])
def test_a_preview_that_cannot_render_in_time_is_a_400(author_client, body):
    response = author_client.post("/admin/preview", data={"body": body}, headers=SCRIPT)
    assert response.status_code == 400
    assert "too intricate" in response.get_json()["error"]


def test_an_autosave_that_cannot_render_keeps_the_text_in_the_history(author_client):
    response = author_client.post(
        "/admin/posts/autosave", data={"title": "Pasted", "body": NESTED}, headers=SCRIPT
    )
    assert response.status_code == 200 and response.get_json()["saved"]
    assert db.session.scalars(select(Revision.body_md)).one() == NESTED


def test_an_autosave_over_the_size_cap_is_refused(author_client):
    body = "x" * (300 * 1024 + 1)
    response = author_client.post(
        "/admin/posts/autosave", data={"title": "T", "body": body}, headers=SCRIPT
    )
    assert response.status_code == 400
    assert "a post can have 307,200" in response.get_json()["error"]
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_ordinary_text_still_previews_and_saves(author_client):
    preview = author_client.post("/admin/preview", data={"body": "## Hi\n\nText[^1]\n\n[^1]: A."})
    assert preview.status_code == 200 and "<h2" in preview.text
    data = {"title": "Fine", "body": "Some **text**.", "status": "draft"}
    assert author_client.post("/admin/posts/new", data=data).status_code == 303
    assert "<strong>text</strong>" in db.session.scalars(select(Post)).one().body_html
