"""A site to measure: the sample content, and as many more posts and comments as asked.

The sample posts (about 1,000 words each, headings, tables) are cut into their sections
(at each level-2 heading; footnotes left out), and each section goes through the real
content pipeline once. Every other post is about one of TOPICS: its title is the topic
and one of ANGLES, it is tagged with it and two other tags, and its text is one sample
post's opening and most of its sections, with a section of another sample added, where
the samples' own subjects (blood pressure, sleep, vitamin D, walking) become the topic.
So posts differ as a real site's do: a topic's words are in a few percent of them (its
own posts, and those tagged with it: "migraine" in about 600 of 10,000), words the
samples share in more ("blood pressure" in about 2,800, "doctor" in nearly all), and
the length runs from about 300 to 1,200 words, most 550 to 1,000. The posts go in with
bulk inserts (no ORM object per row, no Markdown per post), so 10,000 posts and 100,000
comments take well under a minute. The sample post "Understanding your blood pressure
numbers" and its comments are the same on every site.
"""

import itertools
import os
import random
import re
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-" + "0" * 32
BENCH_POST = "understanding-blood-pressure"
BENCH_TAG = "heart-health"
TOPICS = [
    "Asthma", "Atrial fibrillation", "Back pain", "Blood pressure", "Blood sugar",
    "Cholesterol", "Chronic cough", "Constipation", "COPD", "Dementia", "Depression",
    "Dizziness", "Eczema", "Fatigue", "Gallstones", "Gout", "Hay fever", "Headache",
    "Hearing loss", "Heartburn", "Hip arthritis", "Influenza", "Iron deficiency",
    "Kidney stones", "Knee pain", "Menopause", "Migraine", "Osteoporosis", "Palpitations",
    "Psoriasis", "Shingles", "Sinusitis", "Statins", "Thyroid", "Tinnitus",
    "Urinary infections", "Varicose veins", "Vertigo", "Weight loss", "Wheezing",
]  # fmt: skip
ANGLES = [
    "what the numbers mean", "questions to ask at your next visit", "what the research shows",
    "a closer look", "myths and facts", "when to worry", "what you can do at home",
    "after sixty", "what changed this year", "a patient's guide", "the evidence, briefly",
    "what I tell my patients",
]  # fmt: skip
# Each sample post's subject, which becomes the topic of a post built from it.
SUBJECTS = {
    "understanding-blood-pressure": r"\b(blood pressure|hypertension|pressure)\b",
    "how-much-sleep-adults-need": r"\b(sleeping|sleep)\b",
    "vitamin-d-who-needs-a-supplement": r"\bvitamin D\b",
    "walking-how-many-steps": r"\b(walking|walks|walk)\b",
}
FOOTNOTE = re.compile(r"\[\^\d+\]")
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
        # One client asks for thousands of new searches: what a search costs, not the limit.
        "BLOG_SEARCH_RATE_LIMIT": "1000000 per minute",
    }


def sections(post) -> list[dict]:
    """A sample post's opening and level-2 sections, each rendered by the real pipeline
    (without footnotes, which would not survive the cut)."""
    from blog.content import render_post

    source = "\n".join(
        FOOTNOTE.sub("", line) for line in post.body_md.splitlines() if not line.startswith("[^")
    )
    parts = re.split(r"\n(?=## )", source)
    found = []
    for part in parts:
        rendered = render_post(part)
        found.append({"md": part.strip(), "html": rendered.html, "text": rendered.text,
                      "toc": [list(entry) for entry in rendered.toc],
                      "words": rendered.word_count, "excerpt": rendered.excerpt})  # fmt: skip
    return found


def on_topic(subject: re.Pattern, topic: str, text: str) -> str:
    """The text with the sample's subject made the topic (capitalised where it was)."""

    def replace(match: re.Match) -> str:
        if topic.isupper():
            return topic
        word = topic.lower()
        return word[0].upper() + word[1:] if match[0][0].isupper() else word

    return subject.sub(replace, text)


def topical_post(rng: random.Random, samples: list[tuple], topic: str) -> dict:
    """The rendered fields of a post about ``topic``: one sample's opening and most of its
    sections, with one section of another sample among them."""
    from blog.content import reading_minutes

    (subject, own), (other_subject, other) = rng.sample(samples, 2)
    keep = sorted(rng.sample(range(1, len(own)), len(own) - rng.choice((2, 3))))
    chosen = [(subject, own[0])] + [(subject, own[index]) for index in keep]
    headings = {entry[1] for _, part in chosen for entry in part["toc"]}
    extra = [part for part in other[1:] if not headings & {e[1] for e in part["toc"]}]
    if extra:
        chosen.insert(rng.randrange(2, len(chosen) + 1), (other_subject, rng.choice(extra)))

    def joined(field: str, separator: str) -> str:
        return separator.join(on_topic(pattern, topic, part[field]) for pattern, part in chosen)

    words = sum(part["words"] for _, part in chosen)
    toc = [
        [level, anchor, on_topic(pattern, topic, name)]
        for pattern, part in chosen
        for level, anchor, name in part["toc"]
    ]
    return {
        "body_md": joined("md", "\n\n"), "body_html": joined("html", "\n"),
        "body_text": joined("text", " "),
        "toc": toc,
        "auto_excerpt": on_topic(subject, topic, own[0]["excerpt"]),
        "word_count": words, "reading_minutes": reading_minutes(words),
    }  # fmt: skip


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
        samples = [
            (re.compile(SUBJECTS[post.slug], re.IGNORECASE), sections(post))
            for post in templates
            if post.slug in SUBJECTS
        ]
        existing = dict(db.session.execute(select(Tag.slug, Tag.id)).all())
        tags = [existing[slug] for slug in sorted(existing)]
        topic_tags = []
        for topic in TOPICS:
            slug = "topic-" + re.sub(r"\W+", "-", topic.lower())
            topic_tags.append(
                db.session.scalar(insert(Tag).values(name=topic, slug=slug).returning(Tag.id))
            )
        tags += topic_tags
        oldest = min(post.published_at for post in templates)
        slugs = [f"notes-{number}" for number in range(posts)]
        rng = random.Random(1)
        links = []
        for start in range(0, posts, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, posts)):
                when = oldest - timedelta(hours=6 * (number + 1))
                index = rng.randrange(len(TOPICS))
                topic = TOPICS[index]
                rows.append({
                    **topical_post(rng, samples, topic), "author_id": author_id,
                    "title": f"{topic}: {rng.choice(ANGLES)}", "slug": slugs[number],
                    "status": PostStatus.PUBLISHED, "medical": True, "published_at": when,
                    "updated_at": when, "created_at": when, "featured": False,
                })  # fmt: skip
                others = rng.sample([tag for tag in tags if tag != topic_tags[index]], 2)
                links.append((slugs[number], [topic_tags[index], *others]))
            db.session.execute(insert(Post), rows)
        ids = dict(
            db.session.execute(select(Post.slug, Post.id).where(Post.slug.like("notes-%"))).all()
        )
        links = [
            {"post_id": ids[slug], "tag_id": tag_id}
            for slug, tag_ids in links
            for tag_id in tag_ids
        ]
        for start in range(0, len(links), BATCH):
            db.session.execute(insert(post_tags), links[start : start + BATCH])
        ids = list(ids.values())
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
