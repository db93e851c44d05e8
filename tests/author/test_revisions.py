"""Nothing lost: each save keeps a revision, autosaves replace each other, restore works."""

import pytest
from sqlalchemy import func, select

from blog.core.clock import format_datetime
from blog.extensions import db
from blog.models import Post, Revision
from blog.posts import history
from blog.posts.history import compare
from tests.conftest import page_text


def kinds(post) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        select(Revision).where(Revision.post_id == post.id).order_by(Revision.id)
    )
    return [(row.kind, row.body_md) for row in rows]


def edit(client, post, body, title="A post"):
    return client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": title, "body": body, "status": "draft", "audience": "patients"},
    )


def test_each_save_keeps_a_revision_and_the_original_text(author_client, make_post):
    post = make_post("A post", body="First text", status="draft")
    edit(author_client, post, "Second text")
    edit(author_client, post, "Second text")  # unchanged: no new revision
    edit(author_client, post, "Third text")
    assert kinds(post) == [("save", "First text"), ("save", "Second text"), ("save", "Third text")]


def test_autosave_replaces_the_newest_autosave(author_client, make_post):
    post = make_post("A post", body="Saved", status="draft")
    for body in ("Typing", "Typing more", "Typing even more"):
        response = author_client.post(
            "/admin/posts/autosave", data={"post_id": post.id, "title": "A post", "body": body}
        )
        assert response.status_code == 200
    data = response.get_json()
    assert data["saved"] is True and data["post_id"] == post.id
    newest = db.session.scalar(select(Revision).where(Revision.post_id == post.id))
    assert data["saved_at"] == format_datetime(newest.created_at)  # as the page writes times
    assert kinds(post) == [("autosave", "Typing even more")]
    db.session.expire_all()
    assert db.session.get(Post, post.id).body_md == "Saved"  # not published by an autosave


def test_reopening_the_editor_shows_the_unsaved_autosave(author_client, make_post):
    post = make_post("A post", body="Saved text")
    author_client.post(
        "/admin/posts/autosave", data={"post_id": post.id, "title": "A post", "body": "Newer text"}
    )
    text = page_text(author_client.get(f"/admin/posts/{post.id}/edit"))
    assert "Newer text" in text and "autosaved on" in text
    saved = page_text(author_client.get(f"/admin/posts/{post.id}/edit?version=saved"))
    assert "Saved text" in saved and "autosaved on" not in saved
    # After a save, the autosave is history and the editor shows the saved text.
    edit(author_client, post, "Final text")
    assert "autosaved on" not in page_text(author_client.get(f"/admin/posts/{post.id}/edit"))


def test_first_autosave_of_a_new_post_creates_a_draft(author_client, author):
    response = author_client.post("/admin/posts/autosave", data={"title": "", "body": "Idea"})
    data = response.get_json()
    post = db.session.get(Post, data["post_id"])
    assert post.status == "draft" and post.title == "Untitled draft" and post.body_md == "Idea"
    assert data["edit_url"] == f"/admin/posts/{post.id}/edit"
    assert post.author_id == author.id


def test_autosave_with_nothing_typed_saves_nothing(author_client):
    response = author_client.post("/admin/posts/autosave", data={"title": " ", "body": ""})
    assert response.get_json() == {"saved": False}
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_autosave_of_a_missing_or_trashed_post_is_refused(author_client, make_post):
    post = make_post("Gone")
    author_client.post(f"/admin/posts/{post.id}/delete")
    for post_id in (post.id, 999, "x"):
        response = author_client.post(
            "/admin/posts/autosave", data={"post_id": post_id, "title": "t", "body": "b"}
        )
        assert response.status_code in (400, 404)
        assert response.get_json()["error"]


def test_revision_diff_is_escaped_and_marked_up(author_client, make_post):
    post = make_post("A post", body="Line one\n<script>alert(1)</script> old words\nLine three")
    edit(author_client, post, "Line one\n<script>alert(1)</script> new words\nLine three")
    first = db.session.scalar(select(Revision).order_by(Revision.id))
    response = author_client.get(f"/admin/posts/{post.id}/revisions/{first.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<del>old</del>" in html and "<ins>new</ins>" in html
    listing = page_text(author_client.get(f"/admin/posts/{post.id}/revisions"))
    assert "Saved" in listing and "(the current text)" in listing


def test_restore_brings_the_text_back_and_is_itself_a_revision(author_client, client, make_post):
    post = make_post("A post", body="Original")
    edit(author_client, post, "Rewritten")
    original = db.session.scalar(select(Revision).where(Revision.body_md == "Original"))
    response = author_client.post(f"/admin/posts/{post.id}/revisions/{original.id}/restore")
    assert response.status_code == 303
    db.session.expire_all()
    restored = db.session.get(Post, post.id)
    assert restored.body_md == "Original" and "Original" in restored.body_html
    assert kinds(post)[-1] == ("restore", "Original")
    assert ("save", "Rewritten") in kinds(post)


def test_a_revision_of_another_post_is_404(author_client, make_post):
    one, two = make_post("One"), make_post("Two")
    edit(author_client, one, "Changed")
    revision = db.session.scalar(select(Revision))
    assert author_client.get(f"/admin/posts/{two.id}/revisions/{revision.id}").status_code == 404
    url = f"/admin/posts/{two.id}/revisions/{revision.id}/restore"
    assert author_client.post(url).status_code == 404


def test_compare_lines():
    lines = compare("a\nb\nc\nd\ne\nf\ng\nh", "a\nb\nc\nd\ne\nf\ng\nH\ni")
    assert [line.kind for line in lines] == ["gap", "same", "same", "changed", "added"]
    assert lines[0].skipped == 5
    assert lines[-1].parts == [("ins", "i")]
    assert ("del", "h") in lines[-2].parts and ("ins", "H") in lines[-2].parts
    assert all(line.kind in ("same", "gap") for line in compare("x\ny", "x\ny"))


def sides(lines) -> tuple[str, str]:
    """The two texts a comparison describes, put back together from its lines."""
    old, new = [], []
    for line in lines:
        old_parts = [text for op, text in line.parts if op != "ins"]
        new_parts = [text for op, text in line.parts if op != "del"]
        if line.kind != "added":
            old.append("".join(old_parts))
        if line.kind != "removed":
            new.append("".join(new_parts))
    return "\n".join(old), "\n".join(new)


HOSTILE_PAIRS = {
    # Each took difflib minutes: long runs of a few repeated words, on one line or many.
    "one long line": (" ".join(["alpha", "beta"] * 25_000), " ".join(["beta", "gamma"] * 25_000)),
    "repeated lines": ("\n".join(["x"] * 40_000), "\n".join(["x", "y"] * 20_000)),
    "shuffled lines": (
        "\n".join(f"line {n % 97}" for n in range(30_000)),
        "\n".join(f"line {n % 89}" for n in range(30_000)),
    ),
}


@pytest.mark.parametrize("name", HOSTILE_PAIRS)
def test_comparing_hostile_texts_ends_and_stays_exact(name, monkeypatch):
    monkeypatch.setattr(history, "COMPARE_SECONDS", 0.2)
    old, new = HOSTILE_PAIRS[name]
    assert sides(compare(old, new, context=10**9)) == (old, new)


def test_a_comparison_describes_both_texts_exactly():
    old = "Keep this.\nThe pressure was 140/90 today.\nGone line.\nEnd."
    new = "Keep this.\nThe pressure was 128/80 today, better.\nEnd.\nAdded."
    assert sides(compare(old, new, context=10**9)) == (old, new)


def test_saves_past_the_limit_are_pruned_with_older_autosaves(
    author_client, make_post, monkeypatch
):
    monkeypatch.setattr(history, "KEPT_REVISIONS", 3)
    post = make_post("A post", body="Text 0", status="draft")
    for number in range(1, 6):
        author_client.post(
            "/admin/posts/autosave", data={"post_id": post.id, "title": "A post", "body": "typing"}
        )
        edit(author_client, post, f"Text {number}")
    assert kinds(post) == [
        ("save", "Text 3"),
        ("autosave", "typing"),
        ("save", "Text 4"),
        ("autosave", "typing"),
        ("save", "Text 5"),
    ]
