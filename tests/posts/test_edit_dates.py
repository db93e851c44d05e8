"""A post's updated_at is the author's last edit: dateModified, the feed's <updated>, the
sitemap's lastmod and the dashboard's order follow it, and readers never move it."""

from datetime import datetime, timedelta

import pytest

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import CommentStatus, Post
from tests.comment_helpers import (
    BROWSER,
    FAST_FORMS,
    comments,
    like_twice,
    post_comment,
    see,
    write_views,
)
from tests.conftest import sign_in

LONG_AGO = datetime(2024, 1, 2, 3, 4, 5)


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.fixture
def old_post(make_post):
    post = make_post("Sleep", body="Seven hours.", published_at=LONG_AGO - timedelta(days=1))
    post.updated_at = LONG_AGO
    db.session.commit()
    return post


def updated_at(post) -> datetime:
    db.session.expire_all()
    return db.session.get(Post, post.id).updated_at


def set_updated_at(post, when: datetime) -> None:
    db.session.get(Post, post.id).updated_at = when
    db.session.commit()


def edit(client, post, body):
    data = {"title": post.title, "body": body, "status": "draft", "audience": "patients"}
    return client.post(f"/admin/posts/{post.id}/edit", data=data)


def test_readers_views_likes_and_comments_leave_it_alone(app, client, old_post, author):
    assert client.get("/post/sleep", headers=BROWSER).status_code == 200
    assert see(client, "sleep").status_code == 204
    assert write_views() == 1
    assert like_twice(client, "sleep", headers=BROWSER).status_code == 303
    post_comment(client, old_post)
    [held] = comments(status=CommentStatus.PENDING)
    moderator = app.test_client()
    sign_in(moderator, author)
    moderator.post(f"/admin/comments/{held.id}/approve", headers=BROWSER)
    assert comments(status=CommentStatus.APPROVED)
    post = db.session.get(Post, old_post.id)
    assert (post.view_count, post.like_count, post.comment_count) == (1, 1, 1)
    assert post.updated_at == LONG_AGO
    assert "<updated>2024-01-02T03:04:05" in client.get("/feed.xml").text


def test_a_save_moves_it_unless_it_changes_nothing(author_client, old_post):
    before = utcnow()
    edit(author_client, old_post, "Eight hours.")
    assert updated_at(old_post) >= before
    set_updated_at(old_post, LONG_AGO)
    edit(author_client, old_post, "Eight hours.")
    assert updated_at(old_post) == LONG_AGO


def test_restoring_a_revision_moves_it(author_client, old_post):
    edit(author_client, old_post, "Eight hours.")
    set_updated_at(old_post, LONG_AGO)
    first = db.session.scalar(db.text("SELECT min(id) FROM revisions"))
    author_client.post(f"/admin/posts/{old_post.id}/revisions/{first}/restore")
    assert updated_at(old_post) > LONG_AGO
