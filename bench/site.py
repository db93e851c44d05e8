"""A site to measure: the sample content, and as many more posts and comments as asked.

The sample posts (about 1,000 words each, headings, tables, footnotes) go through the
real content pipeline once; the other posts reuse their rendered text under their own
titles, slugs, dates and tags, and go in with bulk inserts (no ORM object per row), so
10,000 posts and 100,000 comments take well under a minute. The sample post
"Understanding your blood pressure numbers" and its comments are the same on every site.
"""

import itertools
import os
import random
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-" + "0" * 32
BENCH_POST = "understanding-blood-pressure"
BENCH_TAG = "heart-health"
TOPICS = 40
BATCH = 2000
COMMENT_TEXT = [
    "Thank you, this was clearer than anything my clinic gave me.",
    "My father's readings are higher in the morning. Is that something to mention?",
    "Does the cuff size really matter that much? I use the one that came with the monitor.",
    "I started walking after dinner and my numbers came down. Slowly, but they did.",
]


def environment(folder: Path) -> dict[str, str]:
    """The settings a server of this site runs with (added to its environment)."""
    return {
        "BLOG_SECRET_KEY": SECRET,
        "BLOG_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "BLOG_MEDIA_DIR": str(folder / "media"),
    }


def build_site(folder: Path, posts: int = 0, comments: int = 0) -> list[str]:
    """Create the site's database in ``folder``: the samples, then ``posts`` more posts and
    ``comments`` more approved comments spread over them. Returns the new posts' slugs."""
    os.environ.update(environment(folder))
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, update

    from blog import create_app
    from blog.content import render_comment
    from blog.core.clock import utcnow
    from blog.extensions import db
    from blog.models import Author, Comment, CommentStatus, Post, PostStatus, Tag, post_tags
    from blog.posts.samples import load_sample_content

    app = create_app()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_sample_content()
        author_id = db.session.scalar(select(Author.id))
        templates = db.session.scalars(Post.with_text().order_by(Post.id)).all()
        rendered = [
            {name: getattr(post, name) for name in ("body_md", "body_html", "body_text", "toc",
             "auto_excerpt", "word_count", "reading_minutes")}
            for post in templates
        ]  # fmt: skip
        existing = dict(db.session.execute(select(Tag.slug, Tag.id)).all())
        tags = [existing[slug] for slug in sorted(existing)]
        for number in range(TOPICS):
            tags.append(
                db.session.scalar(
                    insert(Tag)
                    .values(name=f"Topic {number}", slug=f"topic-{number}")
                    .returning(Tag.id)
                )
            )
        oldest = min(post.published_at for post in templates)
        slugs = [f"notes-{number}" for number in range(posts)]
        rng = random.Random(1)
        for start in range(0, posts, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, posts)):
                when = oldest - timedelta(hours=6 * (number + 1))
                rows.append({
                    **rendered[number % len(rendered)],
                    "author_id": author_id, "title": f"Clinic notes {number}: a closer look",
                    "slug": slugs[number], "status": PostStatus.PUBLISHED, "medical": True,
                    "published_at": when, "updated_at": when, "created_at": when,
                    "featured": False,
                })  # fmt: skip
            db.session.execute(insert(Post), rows)
        ids = db.session.scalars(select(Post.id).where(Post.slug.like("notes-%"))).all()
        links = [
            {"post_id": post_id, "tag_id": tag_id}
            for post_id in ids
            for tag_id in rng.sample(tags, 3)
        ]
        for start in range(0, len(links), BATCH):
            db.session.execute(insert(post_tags), links[start : start + BATCH])
        bodies = [(text, render_comment(text)) for text in COMMENT_TEXT]
        now = utcnow()
        targets = itertools.cycle(ids) if ids else None
        for start in range(0, comments if targets else 0, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, comments)):
                text, html = bodies[number % len(bodies)]
                rows.append({
                    "post_id": next(targets), "author_name": f"Reader {number}", "body_md": text,
                    "body_html": html, "status": CommentStatus.APPROVED,
                    "created_at": now - timedelta(minutes=number),
                })  # fmt: skip
            db.session.execute(insert(Comment), rows)
        approved = (
            select(func.count(Comment.id))
            .where(Comment.post_id == Post.id, Comment.status == CommentStatus.APPROVED)
            .scalar_subquery()
        )
        db.session.execute(update(Post).values(comment_count=approved))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return slugs
