"""Moving in from a Ghost export (JSON) with its content/images folder."""

from tests.conftest import page_text
from tests.imports.conftest import import_site, imported, snapshot


def run(runner, site, *extra):
    result = import_site(
        runner,
        site.root / "ghost/export.json",
        "--ghost-images",
        site.root / "ghost-images",
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result


def test_posts_pages_tags_and_feature_images_arrive(runner, author, site, client):
    result = run(runner, site)
    assert "Imported 4 posts, 0 comments, 3 images; 2 warnings." in result.output
    knee = imported("knee-pain-on-stairs")
    assert knee.featured and knee.published_at.isoformat() == "2023-03-10T09:00:00"
    assert knee.excerpt == "Why stairs hurt, and what to try."
    assert knee.meta_description.startswith("Knee pain going downstairs")
    assert [tag.name for tag in knee.tags] == ["Joints"]  # "#hero" is internal to Ghost
    assert knee.cover.alt == "A staircase in a clinic" and knee.cover.width == 900
    assert "![A knee bending on a stair](/media/" in knee.body_md
    assert '"Taking stairs one at a time")' in knee.body_md
    text = page_text(client.get("/post/knee-pain-on-stairs"))
    assert "What to try" in text and "Strengthen the thigh muscles" in text
    assert "__GHOST_URL__" not in text and "ghost.invalid" not in text
    assert "I am a rheumatologist." in page_text(client.get("/about"))
    assert "The export names 2 authors; every post is yours here." in result.output


def test_lexical_is_rendered_to_markdown(runner, author, site):
    run(runner, site)
    gout = imported("gout-night-toe")
    assert gout.body_md.startswith("Gout flares often start at night, in the **big toe**.")
    assert "[my post on knee pain](/post/knee-pain-on-stairs)" in gout.body_md
    assert "## What helps during a flare" in gout.body_md
    assert "- *Ice, wrapped in a cloth*" in gout.body_md
    assert "![A swollen big toe joint](/media/" in gout.body_md
    assert "> Water helps more than people think." in gout.body_md
    assert "```text\nUric acid target: < 6 mg/dL\n```" in gout.body_md
    assert "<script" not in gout.body_md and "alert" not in gout.body_html
    assert sorted(tag.name for tag in gout.tags) == ["Gout", "Joints"]


def test_drafts_and_members_only_posts_stay_private(runner, author, site, client):
    result = run(runner, site)
    assert imported("tendon-pain").status == "draft"
    assert imported("members-exercise-plan").status == "draft"
    assert client.get("/post/members-exercise-plan").status_code == 404
    assert "was for members only on Ghost: imported as a draft" in result.output


def test_old_ghost_addresses_redirect(runner, author, site, client):
    run(runner, site)
    response = client.get("/knee-pain-on-stairs/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/post/knee-pain-on-stairs"
    assert client.get("/tendon-pain/").status_code == 404  # a draft had no public address


def test_importing_twice_changes_nothing(runner, author, site, app):
    run(runner, site)
    before = snapshot(app.config["MEDIA_DIR"])
    result = run(runner, site)
    assert "Imported 0 posts, 0 comments, 0 images (4 unchanged)" in result.output
    assert snapshot(app.config["MEDIA_DIR"]) == before


def test_without_the_images_folder_the_posts_come_and_the_images_are_named(runner, author, site):
    result = import_site(runner, site.root / "ghost/export.json")
    assert result.exit_code == 0, result.output
    assert "Imported 4 posts, 0 comments, 0 images" in result.output
    assert "Image left out: knee.jpg: not in the export's images" in result.output
    assert "![" not in imported("knee-pain-on-stairs").body_md
