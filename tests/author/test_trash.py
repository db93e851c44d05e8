"""Delete moves a post to the trash; restore brings it back; emptying is explicit."""

import re

from sqlalchemy import func, select, text

from blog.extensions import db
from blog.models import Comment, Post, Revision
from tests.conftest import page_text


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_delete_moves_to_trash_and_readers_get_410(author_client, app, make_post):
    post = make_post("Going", body="Text")
    response = author_client.post(f"/admin/posts/{post.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    db.session.expire_all()
    assert db.session.get(Post, post.id).deleted_at is not None
    assert app.test_client().get(f"/post/{post.slug}").status_code == 410
    dashboard = page_text(author_client.get("/admin/"))
    assert "“Going” was moved to the trash" in dashboard  # the flashed message
    assert "Going</a>" not in dashboard  # no longer in the posts table
    assert "Going" in page_text(author_client.get("/admin/trash"))
    assert author_client.get(f"/admin/posts/{post.id}/edit").status_code == 404


def test_restore_from_trash(author_client, app, make_post):
    post = make_post("Back")
    author_client.post(f"/admin/posts/{post.id}/delete")
    response = author_client.post(f"/admin/posts/{post.id}/restore")
    assert response.status_code == 303
    assert app.test_client().get(f"/post/{post.slug}").status_code == 200
    # Only a trashed post can be restored.
    assert author_client.post(f"/admin/posts/{post.id}/restore").status_code == 404


def test_emptying_the_trash_asks_first_then_deletes_for_good(
    author_client, make_post, make_comment
):
    kept, gone = make_post("Kept"), make_post("Gone", body="x")
    make_comment(gone)
    author_client.post(
        f"/admin/posts/{gone.id}/edit",
        data={"title": "Gone", "body": "y", "status": "draft", "audience": "patients"},
    )
    author_client.post(f"/admin/posts/{gone.id}/delete")
    confirm = author_client.get("/admin/trash/empty")
    assert confirm.status_code == 200
    assert "Delete 1 post for good?" in page_text(confirm)
    assert count(Post) == 2  # asking deletes nothing
    response = author_client.post("/admin/trash/empty")
    assert response.status_code == 303
    db.session.expire_all()
    assert [post.title for post in db.session.scalars(select(Post))] == [kept.title]
    assert count(Comment) == 0 and count(Revision) == 0


def test_empty_trash_when_already_empty(author_client):
    response = author_client.get("/admin/trash/empty", follow_redirects=True)
    assert "The trash is already empty." in page_text(response)
    assert "The trash is empty" in page_text(author_client.get("/admin/trash"))


def test_dashboard_offers_to_delete_sample_posts(author_client, make_post, make_comment):
    sample = make_post("Sample one", sample=True)
    make_comment(sample)
    make_post("Mine")
    assert "Delete the sample posts" in page_text(author_client.get("/admin/"))
    response = author_client.post("/admin/samples/delete", follow_redirects=True)
    assert "Deleted the 1 sample post." in page_text(response)
    assert "Delete the sample posts" not in page_text(response)
    assert [post.title for post in db.session.scalars(select(Post))] == ["Mine"]
    assert count(Comment) == 0


def test_emptied_posts_leave_the_search_index(author_client, make_post):
    post_id = make_post("Zebra crossing").id
    indexed = "SELECT rowid FROM search_posts"
    assert (post_id,) in db.session.execute(text(indexed)).all()
    author_client.post(f"/admin/posts/{post_id}/delete")
    author_client.post("/admin/trash/empty")
    assert (post_id,) not in db.session.execute(text(indexed)).all()


def test_a_trashed_draft_that_was_never_public_is_404_not_410(author_client, app, make_post):
    from blog.models import PostStatus

    draft = make_post("Secret plans", status=PostStatus.DRAFT)
    assert author_client.post(f"/admin/posts/{draft.id}/delete").status_code == 303
    assert app.test_client().get(f"/post/{draft.slug}").status_code == 404


def test_moving_to_the_trash_can_be_undone_from_its_message(author_client, make_post):
    post = make_post("Going")
    response = author_client.post(f"/admin/posts/{post.id}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "“Going” was moved to the trash." in page_text(response)
    undo = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrf_token"[^>]*>'
        r'\s*<button type="submit" class="flash__undo">Undo</button>',
        html,
    )
    assert undo.group(1) == f"/admin/posts/{post.id}/restore?then=edit"
    response = author_client.post(undo.group(1))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/posts/{post.id}/edit"
    db.session.expire_all()
    assert db.session.get(Post, post.id).deleted_at is None
    editor = page_text(author_client.get(response.headers["Location"]))
    assert "“Going” was restored from the trash." in editor


def test_trash_is_in_the_admin_navigation(author_client):
    page = author_client.get("/admin/trash").get_data(as_text=True)
    nav = page.split('class="admin-nav"')[1].split("</nav>")[0]
    assert '<a href="/admin/trash" aria-current="page">Trash</a>' in nav
    assert ">Account</a>" in nav
    dashboard = author_client.get("/admin/").get_data(as_text=True)
    assert '<a href="/admin/trash">Trash</a>' in dashboard
