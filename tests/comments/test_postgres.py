"""Comments on PostgreSQL: posting, moderation, likes, erasure and purge.

Runs when BLOG_TEST_DATABASE_URL names a PostgreSQL database (CI sets it), with the
pg_app fixture of tests/core/test_postgres.py (a schema per xdist worker).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Comment, CommentStatus, Post
from tests.comment_helpers import BROWSER, FAST_FORMS, post_comment
from tests.conftest import sign_in
from tests.core.test_postgres import URL, pg_app  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.skipif(not URL.startswith("postgresql"), reason="BLOG_TEST_DATABASE_URL unset"),
]


def test_comment_life_cycle_on_postgresql(pg_app):  # noqa: F811
    from werkzeug.security import generate_password_hash

    from blog.models import Author

    pg_app.config.update(FAST_FORMS)
    pg_app.test_cli_runner().invoke(args=["demo"])
    post = db.session.scalar(select(Post).where(Post.slug == "understanding-blood-pressure"))
    approved_before = post.comment_count
    reader = pg_app.test_client()
    assert post_comment(reader, post, body="Pending?", email="r@example.org").status_code == 303
    assert "Awaiting moderation" in reader.get(f"/post/{post.slug}").get_data(as_text=True)
    assert reader.post(f"/post/{post.slug}/like").status_code == 303

    author = Author(
        name="Dr. Owner",
        email="owner@example.org",
        password_hash=generate_password_hash("correct horse battery"),
    )
    db.session.add(author)
    db.session.commit()
    moderator = pg_app.test_client()
    sign_in(moderator, author)
    pending = db.session.scalar(select(Comment).where(Comment.body_md == "Pending?"))
    response = moderator.post(f"/admin/comments/{pending.id}/approve", headers=BROWSER)
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Post, post.id).comment_count == approved_before + 1
    assert db.session.get(Post, post.id).like_count == 1

    moderator.post("/admin/comments/erase", data={"email": "r@example.org"}, headers=BROWSER)
    db.session.expire_all()
    assert db.session.get(Post, post.id).comment_count == approved_before

    long_ago = utcnow() - timedelta(days=60)
    for status in (CommentStatus.SPAM, CommentStatus.APPROVED):
        db.session.add(
            Comment(
                post_id=post.id,
                author_name="old",
                body_md="x",
                body_html="<p>x</p>",
                status=status,
                created_at=long_ago,
                ip_hash="f" * 32,
            )
        )
    db.session.commit()
    result = pg_app.test_cli_runner().invoke(args=["purge"])
    assert "Deleted 1 spam comments" in result.output and "erased 1 IP hashes" in result.output
