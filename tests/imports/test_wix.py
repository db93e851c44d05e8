"""Moving in from a Wix blog, read from its public pages (a saved copy of five posts,
furniture and all, served from 127.0.0.1)."""

import shutil

from sqlalchemy import select

from blog.extensions import db
from blog.models import Media, Post
from tests.conftest import page_text
from tests.imports.conftest import import_site, imported, snapshot
from tests.media_samples import open_image

FURNITURE = [
    "Skip to Main Content", "Recent Posts", "See All", "Share via", "views", "comments",
    "Write a comment", "More actions", "Powered and secured by Wix", "top of page",
    "Dr. Maya Okafor", "2 min read", "Featured", "frog.wix.com", "parastorage",
]  # fmt: skip


def run(runner, site, *extra):
    result = import_site(runner, site.base, "--allow-private-addresses", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_every_post_of_the_sitemap_arrives_without_the_furniture(runner, author, site, client):
    result = run(runner, site)
    assert "Imported 5 posts, 0 comments, 3 images;" in result.output
    assert "so the 4 comments on 2 posts were not imported" in result.output  # not in the pages
    slugs = set(db.session.scalars(select(Post.slug)))
    assert slugs == {
        "walking-after-meals",
        "vitamin-d-who-needs-it",
        "five-questions-for-your-doctor",
        "uber-schlaf",
        "blood-pressure-myths",
    }
    walking = imported("walking-after-meals")
    for furniture in FURNITURE:
        assert furniture not in walking.body_md, furniture
    assert walking.body_md.startswith("A ten-minute walk after a meal lowers the rise")
    assert "## Why it works" in walking.body_md
    assert "**without needing much insulin**" in walking.body_md
    assert "- Walk at a pace where you can still talk" in walking.body_md
    assert "> The best exercise is the one you will actually do." in walking.body_md
    assert "[Watch “Walking for health” on YouTube](https://www.youtube.com/watch?v=WALK12345)" in (
        walking.body_md
    )
    assert "[CDC guidance on activity](https://www.cdc.gov/physical-activity/)" in walking.body_md
    assert "<" not in walking.body_md.replace("<sup>", "")
    text = page_text(client.get("/post/walking-after-meals"))
    assert "Walking after meals" in text and "Why it works" in text


def test_title_dates_tags_featured_and_views_come_from_the_page(runner, author, site, client):
    run(runner, site)
    walking = imported("walking-after-meals")
    assert walking.title == "Walking after meals"
    assert walking.published_at.isoformat() == "2024-02-11T08:30:00"
    assert walking.updated_at.isoformat() == "2024-02-12T10:05:00"
    assert walking.featured and walking.view_count == 1200  # the ribbon, "1.2K views"
    assert sorted(tag.name for tag in walking.tags) == ["Exercise", "diabetes", "walking"]
    assert walking.meta_description.startswith("A ten-minute walk after a meal")
    vitamin = imported("vitamin-d-who-needs-it")
    assert not vitamin.featured and vitamin.view_count == 85
    assert imported("five-questions-for-your-doctor").view_count == 1
    assert "Nutrition" in page_text(client.get("/post/vitamin-d-who-needs-it"))


def test_images_are_the_originals_re_encoded_locally_and_the_cover_is_set(
    runner, author, site, client
):
    run(runner, site)
    requested = [path for path in site.requests if path.startswith("/media/")]
    assert requested and not [path for path in requested if "/v1/" in path]  # originals only
    walking = imported("walking-after-meals")
    assert "![Two people walking on a path after dinner](/media/" in walking.body_md
    assert '"An evening walk counts too.")' in walking.body_md
    page = client.get("/post/walking-after-meals").get_data(as_text=True)
    assert site.base not in page and "wixstatic" not in page
    media = db.session.scalars(select(Media)).all()
    assert len(media) == 3
    photo = next(m for m in media if m.width == 1200)
    assert not open_image(client.get(f"/media/{photo.name}-1200.jpg").data).getexif()
    vitamin = imported("vitamin-d-who-needs-it")
    assert vitamin.cover is not None and vitamin.cover.width == 1000  # the hero image
    assert walking.cover is None  # no cover on Wix: the first image stays in the text


def test_links_and_slugs_keep_working(runner, author, site, client, make_post):
    make_post("Blood pressure myths", slug="blood-pressure-myths", body="Mine, written here.")
    result = run(runner, site)
    assert "/post/blood-pressure-myths is taken here by another post" in result.output
    assert imported("blood-pressure-myths-2").title == "Blood pressure myths"
    assert "Mine, written here." in page_text(client.get("/post/blood-pressure-myths"))
    moved = client.get("/post/über-schlaf")  # a slug that isn't ASCII here
    assert moved.status_code == 301 and moved.headers["Location"] == "/post/uber-schlaf"
    same = client.get("/post/walking-after-meals")
    assert same.status_code == 200  # Wix's /post/<slug> lands on the same path
    vitamin = imported("vitamin-d-who-needs-it").body_md
    assert "[Walking after meals](/post/walking-after-meals)" in vitamin


def test_importing_twice_changes_nothing(runner, author, site, app):
    run(runner, site)
    before = snapshot(app.config["MEDIA_DIR"])
    result = run(runner, site)
    assert "Imported 0 posts, 0 comments, 0 images (5 unchanged)" in result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before


def test_dry_run_writes_nothing(runner, author, site, app):
    before = snapshot(app.config["MEDIA_DIR"])
    result = run(runner, site, "--dry-run")
    assert "New post: “Über Schlaf” at /post/uber-schlaf (published, 2 tags, 1 image)" in (
        result.output
    )
    assert "Dry run: would import 5 posts, 0 comments, 3 images;" in result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before


def test_a_folder_of_saved_pages_imports_offline(runner, author, site, tmp_path):
    saved = tmp_path / "saved"
    (saved / "walking_files").mkdir(parents=True)
    page = (site.root / "wix/post/walking-after-meals.html").read_text()
    shutil.copy(site.root / "media/aa11c0_walk~mv2.jpg", saved / "walking_files" / "walk.jpg")
    body_image = (
        f"{site.base}/media/aa11c0_walk~mv2.jpg/v1/fill/w_740,h_493,al_c,q_85,"
        "usm_0.66_1.00_0.01,enc_avif,quality_auto/aa11c0_walk.jpg"
    )
    assert body_image in page
    page = page.replace(body_image, "walking_files/walk.jpg")
    (saved / "walking.html").write_text(page.replace(site.base, "https://www.okafor.example"))
    result = import_site(runner, saved)
    assert result.exit_code == 0, result.output
    assert "Imported 1 post, 0 comments, 1 image;" in result.output
    walking = imported("walking-after-meals")
    assert "![Two people walking on a path after dinner](/media/" in walking.body_md
    assert not [path for path in site.requests if path.startswith("/media/")]
