"""Command-line tools."""

import re

from sqlalchemy import event, func, select, update

from blog.extensions import db
from blog.models import Author, Comment, Page, Post, Settings


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


def test_rerender_rebuilds_the_authors_pages(runner):
    db.session.add(Page(title="Hours", slug="hours", body_md="*Mondays*", body_html="<p>x</p>"))
    db.session.commit()
    result = runner.invoke(args=["rerender"])
    assert "Re-rendered 1 page." in result.output
    page = db.session.scalar(select(Page))
    db.session.refresh(page)
    assert page.body_html == "<p><em>Mondays</em></p>"


def test_rerender_works_in_batches_each_its_own_write(runner, make_post, make_comment, monkeypatch):
    monkeypatch.setattr("blog.cli.RERENDER_BATCH", 3)
    posts = [make_post(f"Stale {number}", body="**bold**") for number in range(7)]
    make_comment(posts[0], body="*hi*")
    db.session.execute(update(Post).values(body_html="<p>stale</p>"))
    db.session.commit()
    log = []
    event.listen(db.engine, "before_cursor_execute", lambda *a: log.append(a[2]))
    event.listen(db.engine, "commit", lambda *a: log.append("COMMIT"))
    result = runner.invoke(args=["rerender"])
    assert "Re-rendered 7 posts and 1 comments." in result.output, result.output
    transactions = [chunk.strip() for chunk in " ".join(log).split("COMMIT")]
    reads = [chunk for chunk in transactions if re.search(r"FROM posts .*LIMIT", chunk, re.S)]
    assert len(reads) == 3 and all(chunk.startswith("BEGIN IMMEDIATE") for chunk in reads)
    assert all(chunk.startswith("BEGIN IMMEDIATE") for chunk in transactions if chunk)
    assert db.session.scalar(select(func.count()).where(Post.body_html.contains("stale"))) == 0
