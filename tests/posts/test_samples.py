"""Sample content is a demo, never the author's: marked wherever it shows, kept with its
fictional profile, and off the public site from the moment the author's account exists."""

import json
import re

import pytest
from sqlalchemy import func, select

from blog.accounts.authors import setup_tokens
from blog.extensions import db
from blog.models import Author, Comment, Post, Reviewer, Settings, Tag
from blog.posts.samples import sample_post_files
from tests.conftest import page_text, sign_in
from tests.html_checks import json_ld

SAMPLE_NAME = "Maya Okafor"
SAMPLE_TEXTS = [
    SAMPLE_NAME,
    "fictional",
    "Internal Medicine",
    "Understanding your blood pressure numbers",
    "I started Rounds to answer",  # the sample About page
]
HER = {
    "name": "Dr. Jane Doe",
    "credentials": "MD, Psychiatry",
    "email": "jane@example.org",
    "password": "a long enough passphrase",
}


def sample_slugs() -> list[str]:
    return [post.slug for post in db.session.scalars(select(Post).where(Post.sample))]


def set_up(app, client, **fields) -> None:
    with app.app_context():
        token = setup_tokens()[0]
    response = client.post("/setup", data={"token": token, **HER, **fields})
    assert response.status_code == 303, page_text(response)


def public_urls(client, slugs: list[str], tags: list[str]) -> list[str]:
    """Every reader URL: pages, feeds, search, each post and tag, and all the sitemap lists."""
    urls = ["/", "/archive", "/about", "/robots.txt", "/feed.xml", "/sitemap.xml"]
    urls += [f"/search?q={word}" for word in ("blood", "sleep", "vitamin", "walking", "Okafor")]
    urls += [f"/post/{slug}" for slug in slugs]
    urls += [f"/tag/{tag}" for tag in tags] + [f"/tag/{tag}/feed.xml" for tag in tags]
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    urls += [
        re.sub(r"^https?://[^/]+", "", url) for url in re.findall(r"<loc>([^<]+)</loc>", sitemap)
    ]
    return list(dict.fromkeys(urls))


# -- Before setup: a demo, marked as one ---------------------------------------------------


def test_demo_content_is_marked_as_a_sample_wherever_it_shows(client, runner):
    runner.invoke(args=["demo"])
    home = page_text(client.get("/"))
    assert home.count("Sample post") == len(sample_post_files())
    page = page_text(client.get("/post/understanding-blood-pressure"))
    assert "Sample post." in page and "is a fictional profile" in page
    byline = page[page.index('class="byline"') : page.index("</p>", page.index('class="byline"'))]
    assert "By Dr. Maya Okafor" in byline and "(a fictional sample profile)" in byline
    assert 'rel="author"' not in page  # the About page will be the real author's
    assert ">Sample author</span>" in page and ">Author</span>" not in page
    assert "Medically reviewed by Dr. Maya Okafor, MD, Internal Medicine" in page
    (data,) = json_ld(page)
    assert data["author"] == {
        "@type": "Person",
        "name": "Dr. Maya Okafor",
        "honorificSuffix": "MD",
        "jobTitle": "Internal medicine physician",
    }
    assert data["reviewedBy"] == data["author"]
    assert page_text(client.get("/archive")).count("Sample post") == len(sample_post_files())
    assert "Sample post" in page_text(client.get("/search?q=blood"))
    assert "Sample content." in page_text(client.get("/about"))
    feed = client.get("/feed.xml").get_data(as_text=True)
    titles = re.findall(r"<title>([^<]*)</title>", feed)[1:]
    assert titles and all(title.startswith("Sample post: ") for title in titles)
    assert "/about" not in feed


def test_demo_refuses_once_an_author_exists_and_leaves_her_site_alone(runner, author):
    settings = Settings.current()
    settings.about_md = settings.about_html = "Mine."
    db.session.add(settings)
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1
    assert "An author account exists, so sample content is not loaded" in result.output
    assert runner.invoke(args=["demo", "--if-empty"]).output == ""  # make run: silent
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert Settings.current().about_md == "Mine."


def test_demo_if_empty_loads_nothing_on_a_site_whose_author_deleted_every_post(runner, author):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert (result.exit_code, result.output) == (0, "")
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_demo_twice_says_the_samples_are_already_there(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "already loaded" in result.output
    assert db.session.scalar(select(func.count(Post.id))) == len(sample_post_files())


def test_the_setup_form_offers_the_choice_only_when_there_are_samples(client, runner):
    assert 'name="sample_posts"' not in page_text(client.get("/setup"))
    runner.invoke(args=["demo"])
    page = page_text(client.get("/setup"))
    assert "Keep the samples as drafts to look at" in page and "Start empty" in page
    assert re.search(r'<input checked id="sample_posts-0"[^>]*value="drafts"', page)


# -- After setup: nothing public under her name -----------------------------------------


@pytest.mark.parametrize("choice", ["drafts", "empty"])
def test_after_setup_no_public_url_shows_the_sample_profile(app, client, runner, make_post, choice):
    runner.invoke(args=["demo"])
    slugs = sample_slugs()
    tags = list(db.session.scalars(select(Tag.slug)))
    set_up(app, client, sample_posts=choice)
    her = db.session.scalar(select(Author).where(Author.email == HER["email"]))
    make_post("Lithium levels", author=her, tags="Sleep", medical=True)
    reader = app.test_client()
    for url in public_urls(reader, slugs, tags):
        response = reader.get(url)
        text = page_text(response)
        if url.startswith("/post/") and url.removeprefix("/post/") in slugs:
            assert response.status_code == 404, url
        for sample in SAMPLE_TEXTS:
            assert sample not in text, (url, sample)
        for data in json_ld(text) if "html" in response.content_type else []:
            assert SAMPLE_NAME not in json.dumps(data), url
    page = page_text(reader.get("/post/lithium-levels"))
    (data,) = json_ld(page)
    assert data["author"]["name"] == "Dr. Jane Doe"
    assert "Dr. Jane Doe" in page_text(reader.get("/about"))


def test_keeping_the_samples_makes_them_drafts_with_the_sample_profile(app, client, runner):
    runner.invoke(args=["demo"])
    comments = db.session.scalar(select(func.count(Comment.id)))
    set_up(app, client, sample_posts="drafts")
    posts = db.session.scalars(select(Post)).all()
    assert {(post.status, post.sample, post.published_at) for post in posts} == {
        ("draft", True, None)
    }
    assert {post.author.name for post in posts} == {"Dr. Maya Okafor"}
    assert db.session.scalar(select(func.count(Comment.id))) == comments
    assert Settings.current().about_md == ""
    # She sees them, still marked, never under her name.
    page = page_text(client.get("/post/understanding-blood-pressure"))
    assert "Only you can see this draft post." in page and "Sample post." in page
    assert "By Dr. Maya Okafor" in page and "Jane Doe" not in page.split("Sample post.")[1][:600]
    (data,) = json_ld(page)
    assert "Jane" not in json.dumps(data)
    assert "4 sample posts to look at" in page_text(client.get("/admin/"))


def test_starting_empty_deletes_the_samples_their_comments_and_the_profile(app, client, runner):
    runner.invoke(args=["demo"])
    set_up(app, client, sample_posts="empty")
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert db.session.scalar(select(func.count(Reviewer.id))) == 0
    assert [author.name for author in db.session.scalars(select(Author))] == ["Dr. Jane Doe"]
    assert "sample post" not in page_text(client.get("/admin/"))


def test_a_setup_form_without_the_choice_keeps_the_samples_as_drafts(app, client, runner):
    runner.invoke(args=["demo"])
    set_up(app, client)
    assert {post.status for post in db.session.scalars(select(Post))} == {"draft"}


def test_create_author_can_start_empty(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=["create-author", "--name", "Dr. Cli", "--email", "cli@example.org"]
        + ["--credentials", "DO", "--password-stdin", "--sample-posts", "empty"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert Settings.current().about_md == ""


def test_deleting_the_kept_samples_removes_the_profile_too(app, client, runner):
    runner.invoke(args=["demo"])
    set_up(app, client, sample_posts="drafts")
    response = client.post("/admin/samples/delete", follow_redirects=True)
    assert "Deleted the 4 sample posts." in page_text(response)
    assert [author.name for author in db.session.scalars(select(Author))] == ["Dr. Jane Doe"]


def test_the_editor_never_offers_the_sample_profile_as_a_reviewer(app, client, runner):
    runner.invoke(args=["demo"])
    set_up(app, client, sample_posts="drafts")
    post_id = db.session.scalar(select(Post.id).where(Post.slug == "understanding-blood-pressure"))
    page = page_text(client.get(f"/admin/posts/{post_id}/edit"))
    reviewer_select = page[
        page.index('id="reviewer"') : page.index("</select>", page.index('id="reviewer"'))
    ]
    assert SAMPLE_NAME not in reviewer_select
    assert "You (Dr. Jane Doe, MD, Psychiatry)" in reviewer_select


def test_an_author_who_saves_a_sample_makes_it_hers_without_the_fictional_review(
    client, author, runner
):
    runner.invoke(args=["demo", "--if-empty"])  # an author exists: nothing loads
    assert db.session.scalar(select(func.count(Post.id))) == 0
    profile = Author(name="Dr. Maya Okafor", credentials="MD")
    reviewer = Reviewer(name=profile.name, author=profile)
    post = Post(author=profile, title="Sample", slug="sample", sample=True, reviewer=reviewer)
    db.session.add(post)
    db.session.commit()
    sign_in(client, author)
    client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": "Sample", "body": "Mine now.", "status": "draft"},
    )
    db.session.expire_all()
    saved = db.session.get(Post, post.id)
    assert (saved.sample, saved.author.name, saved.reviewer) == (False, "Dr. Ada Lovelace", None)


def test_a_sample_she_saves_keeps_none_of_its_fiction_her_name_would_carry(app, client, runner):
    """Her saved copy of a sample drops its fictional readers' comments and the sample
    profile's replies, and the editor offers no review date she never gave."""
    runner.invoke(args=["demo"])
    set_up(app, client, sample_posts="drafts")
    post = db.session.scalar(select(Post).where(Post.slug == "understanding-blood-pressure"))
    assert post.last_reviewed is not None
    editor = client.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    sent_date = re.search(r'id="last_reviewed"[^>]*value="([^"]*)"', editor)
    data = {"title": post.title, "slug": post.slug, "body": post.body_md, "status": "published"}
    data["medical"] = "y"
    data["last_reviewed"] = sent_date.group(1) if sent_date else ""
    assert client.post(f"/admin/posts/{post.id}/edit", data=data).status_code == 303
    page = page_text(client.get("/post/understanding-blood-pressure"))
    assert "Dr. Jane Doe" in page
    for fiction in ("Linda R.", "after coffee", SAMPLE_NAME, "Last reviewed"):
        assert fiction not in page
    assert "reviewedBy" not in json.dumps(json_ld(page)) and "lastReviewed" not in json.dumps(
        json_ld(page)
    )
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.post_id == post.id)) == 0
