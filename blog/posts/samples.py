"""Sample content for a new site: a few posts, comments and an about page.

Their author is a fictional sample profile without a password: it cannot sign in, so the
first-run setup stays open until the real author creates an account. Sample posts stay
with that profile and are marked as samples wherever they are shown, so they never
appear under the real author's name. At setup the author chooses what becomes of them
(``settle``): they leave the public site either way, as drafts to look at or deleted.
Once an author exists, samples are never loaded again and the About page is hers.
"""

from datetime import timedelta
from importlib import resources

from sqlalchemy import func, select

from blog.content import render_comment, render_page
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, Comment, CommentStatus, Post, PostStatus, Reviewer, Settings
from blog.posts.trash import delete_sample_posts
from blog.posts.writing import apply_rendering, set_tags

SAMPLE_AUTHOR = {
    "name": "Dr. Maya Okafor",
    "credentials": "MD, Internal Medicine",
    "job_title": "Internal medicine physician",
    "short_bio": "A fictional internist whose profile comes with the sample posts.",
    "bio_md": (
        "Dr. Maya Okafor is a fictional profile that comes with Rounds' sample posts. "
        "She is not a real physician, and nothing in the sample posts is medical advice."
    ),
}
# What becomes of the sample posts at setup: drafts to look at, or nothing at all.
KEEP_AS_DRAFTS = "drafts"
START_EMPTY = "empty"


class SamplesRefused(Exception):
    """Sample content is only for a site without an author; the message says why."""


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


def sample_profile() -> Author | None:
    return db.session.scalar(
        select(Author).where(Author.password_hash.is_(None)).order_by(Author.id).limit(1)
    )


def load_sample_content() -> int:
    """Create the sample profile, posts, comments and about page; return the post count.

    Raises SamplesRefused once an author account exists (her posts and About page are
    never touched) or when the samples are already there.
    """
    import frontmatter  # with PyYAML: loaded for the samples, not in every worker

    if db.session.scalar(select(Author.id).where(Author.password_hash.is_not(None))):
        raise SamplesRefused(
            "An author account exists, so sample content is not loaded: it is only for a "
            "new site, and never touches your posts or your About page."
        )
    if db.session.scalar(select(func.count()).where(Post.sample.is_(True))):
        raise SamplesRefused("The sample posts are already loaded.")
    author = sample_profile()
    if author is None:
        author = Author(**SAMPLE_AUTHOR, bio_html=render_page(SAMPLE_AUTHOR["bio_md"]))
        db.session.add(author)
    reviewer = Reviewer(name=author.name, author=author)
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
            reviewer=reviewer,
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


def settle(choice: str) -> None:
    """At setup: take the sample posts off the public site at once (the caller commits).

    KEEP_AS_DRAFTS unpublishes them; they stay marked as samples and with the sample
    profile, comments included. START_EMPTY deletes them, their comments and the
    profile. Either way the About page stops being the sample's.
    """
    settings = db.session.scalar(select(Settings).limit(1))
    if settings is not None and settings.about_md == _sample("about.md"):
        settings.about_md = settings.about_html = ""
    if choice == KEEP_AS_DRAFTS:
        for post in db.session.scalars(select(Post).where(Post.sample.is_(True))):
            post.status, post.published_at = PostStatus.DRAFT, None
        return
    delete_samples()


def delete_samples() -> int:
    """Delete the sample posts (their comments go with them) and the sample profile once
    it has no post left; the number of posts deleted."""
    count = delete_sample_posts()
    for profile in db.session.scalars(select(Author).where(Author.password_hash.is_(None))):
        if not db.session.scalar(select(Post.id).where(Post.author_id == profile.id).limit(1)):
            db.session.delete(profile)
    return count
