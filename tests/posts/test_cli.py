"""Command-line tools."""

import sqlite3

from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Author, Comment, Post, Settings


def test_demo_loads_sample_content_that_cannot_sign_in(runner):
    result = runner.invoke(args=["demo"])
    assert "Loaded 4 sample posts." in result.output
    assert db.session.scalar(select(func.count(Post.id))) == 4
    assert db.session.scalar(select(func.count(Comment.id))) >= 4
    authors = db.session.scalars(select(Author)).all()
    assert [a.can_sign_in for a in authors] == [False]
    featured = db.session.scalars(select(Post).where(Post.featured.is_(True))).all()
    assert len(featured) == 1
    for post in db.session.scalars(select(Post)):
        assert (
            post.tags and "<table>" in post.body_html or post.slug == "how-much-sleep-adults-need"
        )
        assert 'class="footnote"' in post.body_html
        assert len(post.toc) >= 3
    assert Settings.current().about_html


def test_demo_if_empty_leaves_an_existing_site_alone(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "not loaded" in result.output
    assert db.session.scalar(select(func.count(Post.id))) == 4


def test_rerender_rebuilds_stored_html(runner, make_post):
    post = make_post("Stale", body="**bold**")
    post.body_html = "<p>stale</p>"
    db.session.commit()
    result = runner.invoke(args=["rerender"])
    assert "Re-rendered 1 posts" in result.output
    db.session.refresh(post)
    assert "<strong>bold</strong>" in post.body_html


def test_backup_makes_a_readable_copy(runner, make_post, tmp_path):
    make_post("Backed up")
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT title FROM posts").fetchall() == [("Backed up",)]
