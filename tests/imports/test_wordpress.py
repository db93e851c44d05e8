"""Moving in from a WordPress export (WXR): posts, drafts, the About page, tags,
threaded comments, images and every old address, checked as a reader sees them."""

from sqlalchemy import select

from blog.extensions import db
from blog.models import Comment, Media, Post
from tests.conftest import page_text
from tests.imports.conftest import import_site, imported, snapshot
from tests.media_samples import open_image


def run(runner, site, *extra):
    result = import_site(
        runner, site.root / "wordpress/export.xml", "--allow-private-addresses", *extra
    )
    assert result.exit_code == 0, result.output
    return result


def test_posts_pages_and_drafts_arrive_as_written(runner, author, site, client):
    result = run(runner, site)
    assert "Imported 3 posts, 4 comments, 2 images; 6 warnings." in result.output
    found = imported("blood-pressure-at-home")
    assert found.featured and found.view_count == 1234  # sticky; views carried over
    assert found.excerpt == "Why home readings beat clinic readings, and how to take them."
    assert found.meta_description.startswith("How to take your blood pressure at home")
    assert "    - rest it on a table" in found.body_md  # a nested list stays nested
    page = client.get("/post/blood-pressure-at-home")
    text = page_text(page)
    assert page.status_code == 200
    assert "Reading your blood pressure at home" in text
    assert "Home readings are often <strong>more useful</strong>" in text
    assert "<h2" in page.get_data(as_text=True) and "How to measure" in text
    for tag in ("Heart", "Hypertension", "home monitoring"):
        assert tag in text
    assert "Uncategorized" not in text
    assert client.get("/post/statins-the-questions-i-get-most").status_code == 404  # a draft
    assert imported("statins-the-questions-i-get-most").status == "draft"
    about = page_text(client.get("/about"))
    assert "I am a family doctor in a small town." in about
    assert "Contact" not in about and "Call the clinic" not in about
    assert "The page “Contact” was left out" in result.output


def test_the_markdown_reads_as_written_by_hand_and_nothing_hostile_survives(
    runner, author, site, client
):
    run(runner, site)
    found = imported("blood-pressure-at-home")
    markdown, html = found.body_md, found.body_html
    assert "<div" not in markdown and "<span" not in markdown and "<!--" not in markdown
    assert "## How to measure" in markdown
    assert '"The cuff goes on the bare upper arm.")' in markdown  # the caption
    assert "[Watch “Measuring blood pressure at home” on YouTube]" in markdown
    assert "[sleep hygiene](/post/sleep-hygiene)" in markdown  # a link between posts
    assert "[sic]" in markdown  # brackets that are not a shortcode stay
    for hostile in ("<script", "document.cookie", "<style", "<iframe", "ads.example",
                    "pixel.example", "javascript:", "onclick", "[gallery"):  # fmt: skip
        assert hostile not in markdown and hostile not in html
    page = client.get("/post/blood-pressure-at-home").get_data(as_text=True)
    assert "<figcaption>The cuff goes on the bare upper arm.</figcaption>" in page
    assert "this first" in page and 'href="javascript' not in page


def test_images_are_downloaded_re_encoded_and_local(runner, author, site, client, app):
    run(runner, site)
    found = imported("blood-pressure-at-home")
    page = client.get("/post/blood-pressure-at-home").get_data(as_text=True)
    assert site.base not in page and "wp-content" not in page
    cover = db.session.get(Media, found.cover_media_id)
    assert cover.alt == "An upper-arm cuff on a seated patient"
    assert (cover.width, cover.height) == (800, 600)  # the original, not the 300 px copy
    assert f"/media/{cover.name}-480.webp" in page  # responsive variants
    stored = open_image(client.get(f"/media/{cover.name}-800.jpg").data)
    assert not stored.getexif() and "exif" not in stored.info  # the GPS position is gone
    assert "/wp-content/uploads/2019/03/cuff-300x200.jpg" not in site.requests
    assert "Image left out" not in run(runner, site).output


def test_comments_keep_their_threads_and_only_approved_ones_come(runner, author, site, client):
    result = run(runner, site)
    comments = db.session.scalars(select(Comment).order_by(Comment.id)).all()
    by_name = {(c.author_name, c.body_md.strip()): c for c in comments}
    question = by_name[("Jane Moss", "Which arm should I use?\n\nMy left arm always reads higher.")]
    answer = by_name[("Dr. Ana Rivera", "Use the arm that reads *higher*, every time.")]
    thanks = by_name[("Jane Moss", "Thank you, that helps!")]
    assert question.parent_id is None
    assert answer.parent_id == question.id and answer.is_author
    assert thanks.parent_id == question.id  # a reply to a reply joins the thread
    assert question.email == "jane.moss@mail.example" and question.ip_hash is None
    assert {c.status for c in comments} == {"approved"}
    assert len(comments) == 4
    text = page_text(client.get("/post/blood-pressure-at-home"))
    assert "Which arm should I use?" in text and "Thank you, that helps!" in text
    assert "Never approved" not in text and "spam pills" not in text and "pingback" not in text
    assert imported("blood-pressure-at-home").comment_count == 3
    assert "Left out 1 comments waiting for moderation and 1 marked as spam" in result.output


def test_every_old_address_answers_301_to_the_new_post(runner, author, site, client):
    run(runner, site)
    old = {
        "/2019/03/05/blood-pressure-at-home/": "/post/blood-pressure-at-home",
        "/2019/03/05/blood-pressure-at-home": "/post/blood-pressure-at-home",
        "/?p=12": "/post/blood-pressure-at-home",
        "/2019/04/10/sleep-hygiene/": "/post/sleep-hygiene",
        "/?p=15": "/post/sleep-hygiene",
        "/about-me/": "/about",
        "/?page_id=2": "/about",
    }
    for path, target in old.items():
        response = client.get(path)
        assert response.status_code == 301, path
        assert response.headers["Location"] == target
    assert client.get("/?p=18").status_code == 200  # a draft has no old address: the home page
    assert client.get("/2019/03/05/unknown/").status_code == 404
    assert client.post("/?p=12").status_code in (400, 405)


def test_the_old_address_of_a_post_made_a_draft_is_not_revealed(runner, author, site, client):
    run(runner, site)
    found = imported("sleep-hygiene")
    found.status = "draft"
    db.session.commit()
    assert client.get("/2019/04/10/sleep-hygiene/").status_code == 404


def test_importing_twice_changes_nothing(runner, author, site, app):
    run(runner, site)
    before = snapshot(app.config["MEDIA_DIR"])
    requests = len(site.requests)
    result = run(runner, site)
    assert "Imported 0 posts, 0 comments, 0 images (3 unchanged)" in result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before
    assert len(site.requests) == requests  # images imported before are not downloaded again


def test_a_second_import_updates_what_changed_and_adds_what_is_new(runner, author, site):
    run(runner, site)
    export = site.root / "wordpress/export.xml"
    text = export.read_text()
    text = text.replace("Most sleep problems get better", "Most sleep problems improve")
    text = text.replace(
        "<wp:comment_content><![CDATA[What about naps?]]>",
        "<wp:comment_content><![CDATA[What about naps? And coffee?]]>",
    )
    export.write_text(text)
    result = run(runner, site)
    assert "Updated: “Sleep hygiene basics”" in result.output
    assert "Unchanged: “Reading your blood pressure at home”" in result.output
    assert "Most sleep problems improve" in imported("sleep-hygiene").body_md
    assert db.session.scalar(select(Comment).where(Comment.body_md.contains("coffee")))
    assert len(db.session.scalars(select(Post)).all()) == 3


def test_a_post_edited_here_is_kept_when_the_source_changes_too(runner, author, site):
    run(runner, site)
    mine = imported("sleep-hygiene")
    mine.body_md = "My own rewrite."
    db.session.commit()
    export = site.root / "wordpress/export.xml"
    export.write_text(export.read_text().replace("Most sleep problems", "Many sleep problems"))
    result = run(runner, site)
    assert "“Sleep hygiene basics” changed on the old site but was also edited here" in (
        result.output
    )
    assert imported("sleep-hygiene").body_md == "My own rewrite."


def test_dry_run_lists_what_would_be_created_and_writes_nothing(runner, author, site, app):
    before = snapshot(app.config["MEDIA_DIR"])
    result = run(runner, site, "--dry-run")
    assert "New post: “Reading your blood pressure at home” at /post/blood-pressure-at-home" in (
        result.output
    )
    assert "(published, 3 tags, 1 image, 3 comments)" in result.output
    assert "New post: “Statins: the questions I get most”" in result.output
    assert "About page from “About me”" in result.output
    assert "Warning: leaflet.pdf: only images are imported" in result.output
    assert "Dry run: would import 3 posts, 4 comments, 2 images; 6 warnings." in result.output
    assert "Nothing was written." in result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before


def test_pages_can_become_posts(runner, author, site, client):
    run(runner, site, "--pages-as", "posts")
    assert "Call the clinic on weekdays." in page_text(client.get("/post/contact"))
    assert client.get("/contact/").headers["Location"] == "/post/contact"


def test_images_come_from_an_uploads_folder_beside_the_export(runner, author, site, tmp_path):
    uploads = site.root / "wp-content" / "uploads"
    export = site.root / "wordpress/export.xml"
    export.write_text(export.read_text().replace(site.base, "https://old.example"))
    result = import_site(runner, export, "--wordpress-uploads", uploads)
    assert result.exit_code == 0, result.output
    assert "2 images" in result.output and "Image left out" not in result.output
    assert not [path for path in site.requests if "uploads" in path]
