"""Sample content for a new site: a few posts, comments and an about page.

Their author is a sample profile without a password: it cannot sign in, so the
first-run setup stays open until the real author creates an account.
"""

from datetime import timedelta
from importlib import resources

import frontmatter
from sqlalchemy import select

from blog.content import render_comment, render_page
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Comment, CommentStatus, Post, PostStatus, Settings
from blog.posts.writing import apply_rendering, set_tags

SAMPLE_AUTHOR = {
    "name": "Dr. Maya Okafor",
    "credentials": "MD, Internal Medicine",
    "job_title": "Internal medicine physician",
    "bio_md": (
        "Dr. Okafor is a sample profile. Replace it in **Settings** with your own name, "
        "credentials and a short biography."
    ),
}


def _sample(name: str) -> str:
    return resources.files("blog.posts").joinpath("sample", name).read_text(encoding="utf-8")


def sample_about() -> str:
    """The sample about page's Markdown (an import may replace it, never the author's own)."""
    return _sample("about.md")


def sample_post_files() -> list[str]:
    folder = resources.files("blog.posts").joinpath("sample")
    return sorted(
        p.name for p in folder.iterdir() if p.name[:2].isdigit() and p.name.endswith(".md")
    )


def load_sample_content() -> int:
    """Create the sample author, posts, comments and about page; return the post count."""
    author = db.session.scalar(select(Author).where(Author.password_hash.is_(None)).limit(1))
    if author is None:
        author = Author(**SAMPLE_AUTHOR, bio_html=render_page(SAMPLE_AUTHOR["bio_md"]))
        db.session.add(author)
    settings = Settings.current()
    db.session.add(settings)
    settings.about_md = _sample("about.md")
    settings.about_html = render_page(settings.about_md)

    now = utcnow().replace(second=0, microsecond=0)
    posts = {}
    for name in sample_post_files():
        sample = frontmatter.loads(_sample(name))
        days = int(sample.get("days_ago", 0))
        reviewed = int(sample.get("last_reviewed_days_ago", days))
        post = Post(
            author=author,
            title=sample["title"],
            slug=sample["slug"],
            body_md=sample.content,
            excerpt=sample.get("excerpt", ""),
            meta_description=sample.get("meta_description", ""),
            status=PostStatus.PUBLISHED,
            featured=sample.get("featured") is True,
            medical=True,
            sample=True,
            audience="patients",
            published_at=now - timedelta(days=days, hours=2),
            last_reviewed=(now - timedelta(days=reviewed)).date(),
        )
        post.updated_at = post.published_at
        db.session.add(post)
        apply_rendering(post)
        set_tags(post, sample.get("tags", ""))
        posts[post.slug] = post
    db.session.flush()
    _load_sample_comments(posts, author, now)
    db.session.commit()
    return len(posts)


def _load_sample_comments(posts: dict[str, Post], author: Author, now) -> None:
    created: list[Comment] = []
    blocks = [b for b in _sample("comments.txt").split("\n\n") if b.strip()]
    for index, block in enumerate(blocks):
        meta = dict(
            (key.strip(), value.strip())
            for key, _, value in (line.partition(":") for line in block.strip().splitlines())
        )
        post = posts.get(meta.get("post", ""))
        if post is None:
            continue
        parent = None
        if meta.get("reply_to", "").isdigit():
            parent = created[int(meta["reply_to"]) - 1]
        by_author = meta.get("name", "").lower() == "author"
        comment = Comment(
            post=post,
            parent=parent,
            author_name=author.name if by_author else meta.get("name", "Reader"),
            body_md=meta.get("body", ""),
            body_html=render_comment(meta.get("body", "")),
            status=CommentStatus.APPROVED,
            is_author=by_author,
            created_at=post.published_at + timedelta(hours=5 + index * 7),
        )
        db.session.add(comment)
        created.append(comment)
        post.comment_count += 1
