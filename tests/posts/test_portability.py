"""Export to a zip and import Markdown with front matter: the author's content stays theirs."""

import json
import zipfile
from datetime import date, datetime

import frontmatter
from sqlalchemy import delete, select

from blog.extensions import db
from blog.models import Post, PostStatus, Reviewer, Tag, post_tags


def test_export_then_import_gives_the_posts_back(runner, author, make_post, tmp_path):
    make_post(
        "Blood: pressure",
        body="## Numbers\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nText.[^1]\n\n[^1]: Ref.",
        author=author,
        tags="Heart, Prevention",
        featured=True,
        excerpt="Two numbers",
    )
    make_post("A draft", status=PostStatus.DRAFT, author=author)
    media = tmp_path / "media"
    media.mkdir()
    (media / "0123456789abcdef0123-480.webp").write_bytes(b"RIFF....WEBP")
    target = tmp_path / "export.zip"

    result = runner.invoke(args=["export", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"posts/blood-pressure.md", "posts/a-draft.md", "data.json"} <= names
        assert "media/0123456789abcdef0123-480.webp" in names
        markdown = archive.read("posts/blood-pressure.md").decode()
        authors = archive.read("tables/authors.jsonl").decode()
        posts = [json.loads(line) for line in archive.read("tables/posts.jsonl").splitlines()]
    front = frontmatter.loads(markdown)
    assert markdown.startswith("---\ntitle: 'Blood: pressure'\nslug: blood-pressure\n")
    assert front["title"] == "Blood: pressure" and front["tags"] == ["Heart", "Prevention"]
    assert "| 1 | 2 |" in front.content
    assert "password_hash" not in authors and "ada@example.org" in authors
    assert {row["slug"] for row in posts} == {"blood-pressure", "a-draft"}

    db.session.execute(delete(post_tags))
    db.session.execute(delete(Post))
    db.session.execute(delete(Tag))
    db.session.commit()
    result = runner.invoke(args=["import", "--posts-only", str(target)])
    assert "Imported 2 posts." in result.output, result.output
    post = db.session.scalar(select(Post).where(Post.slug == "blood-pressure"))
    assert post.title == "Blood: pressure" and post.featured and post.excerpt == "Two numbers"
    assert [tag.name for tag in post.tags] == ["Heart", "Prevention"]
    assert "<table>" in post.body_html and post.status == PostStatus.PUBLISHED
    assert db.session.scalar(select(Post.status).where(Post.slug == "a-draft")) == "draft"


def test_import_skips_existing_slugs_and_files_without_title(runner, author, make_post, tmp_path):
    make_post("Taken", author=author)
    (tmp_path / "taken.md").write_text("---\ntitle: Taken\n---\nBody")
    (tmp_path / "untitled.md").write_text("No front matter at all")
    (tmp_path / "new.md").write_text("---\ntitle: Fresh\nstatus: scheduled\n---\nBody")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert "taken.md: a post with the slug 'taken' already exists" in result.output
    assert "untitled.md: no title in the front matter" in result.output
    assert "Imported 1 posts." in result.output
    fresh = db.session.scalar(select(Post).where(Post.slug == "fresh"))
    assert fresh.status == "scheduled" and fresh.published_at is not None


def test_import_needs_an_author(runner, tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: A\n---\n")
    result = runner.invoke(args=["import", str(tmp_path / "a.md")])
    assert result.exit_code != 0 and "Create the author first" in result.output


def test_admin_export_streams_a_temporary_file_closed_after(client, author, make_post, monkeypatch):
    import io
    import tempfile

    from tests.conftest import sign_in

    made, original = [], tempfile.TemporaryFile

    def temporary_file(**options):
        made.append(original(**options))
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    make_post("Mine", author=author)
    sign_in(client, author)
    response = client.get("/admin/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=rounds-export-")
    assert response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert "posts/mine.md" in archive.namelist()
    response.close()
    assert len(made) == 1 and made[0].closed  # an unnamed file: closed is gone from disk


def test_exported_front_matter_round_trips_every_field(runner, author, make_post, tmp_path):
    made = make_post(
        "Salt --- the hidden kind: #1",
        author=author,
        tags="Salt, Heart",
        excerpt="yes",  # YAML reads a bare yes as true: the export must quote it
        meta_description="Sodium, 'hidden' and \"added\"\non two lines",
        published_at=datetime(2024, 5, 6, 7, 8, 9),
        last_reviewed=date(2024, 6, 1),
        reviewer=Reviewer(name="Dr. B: cardiology", credentials="MD"),
        medical=False,
        audience="clinicians",
    )
    fields = ("title", "excerpt", "meta_description", "published_at", "last_reviewed")
    fields += ("medical", "audience", "status", "featured", "body_md")
    before = {name: getattr(made, name) for name in fields}
    before["reviewer"] = ("Dr. B: cardiology", "MD")
    runner.invoke(args=["export", str(tmp_path / "export.zip")])
    db.session.execute(delete(post_tags))
    db.session.execute(delete(Post))
    db.session.commit()
    result = runner.invoke(args=["import", "--posts-only", str(tmp_path / "export.zip")])
    assert "Imported 1 posts." in result.output, result.output
    post = db.session.scalar(select(Post))
    after = {name: getattr(post, name) for name in fields}
    after["reviewer"] = (post.reviewer.name, post.reviewer.credentials)
    assert after == before
    assert post.slug == made.slug and [tag.name for tag in post.tags] == ["Heart", "Salt"]


def test_import_reads_a_title_with_three_dashes_whole(runner, author, tmp_path):
    (tmp_path / "salt.md").write_text(
        "---\ntitle: Salt --- the hidden kind\nslug: salt\ntags: Salt\n---\n\nBody text.\n"
    )
    result = runner.invoke(args=["import", str(tmp_path)])
    assert "salt.md: imported salt" in result.output, result.output
    post = db.session.scalar(select(Post))
    assert post.title == "Salt --- the hidden kind" and post.body_md == "Body text."
    assert [tag.name for tag in post.tags] == ["Salt"]


def test_import_understands_yaml_types(runner, author, tmp_path):
    (tmp_path / "typed.md").write_text(
        "---\ntitle: 1984\nstatus: published\npublished_at: 2024-01-02T10:00:00+02:00\n"
        "last_reviewed: 2024-03-01\nfeatured: true\nmedical: no\ntags: [Sleep, Heart]\n"
        "excerpt:\n---\nBody\n"
    )
    result = runner.invoke(args=["import", str(tmp_path)])
    assert "Imported 1 posts." in result.output, result.output
    post = db.session.scalar(select(Post))
    assert (post.title, post.slug, post.excerpt) == ("1984", "1984", "")
    assert post.published_at == datetime(2024, 1, 2, 8, 0)
    assert post.last_reviewed == date(2024, 3, 1) and post.featured and not post.medical
    assert [tag.name for tag in post.tags] == ["Heart", "Sleep"]


def test_import_names_a_file_whose_front_matter_is_not_yaml(runner, author, tmp_path):
    (tmp_path / "a-broken.md").write_text("---\ntitle: Salt: the hidden kind\n---\nBody")
    (tmp_path / "b-bad-date.md").write_text("---\ntitle: Dated\npublished_at: 2024-13-45\n---\n")
    (tmp_path / "c-good.md").write_text("---\ntitle: Good\n---\nBody")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert "a-broken.md: the front matter is not valid YAML (line 2:" in result.output
    assert "b-bad-date.md: the front matter is not valid YAML (month must be" in result.output
    assert "c-good.md: imported good" in result.output
    assert "Imported 1 posts." in result.output


def test_an_import_too_intricate_to_render_is_skipped_with_a_message(runner, tmp_path, app):
    from blog.models import Author

    db.session.add(Author(name="Dr. A", email="a@example.org", password_hash="x"))
    db.session.commit()
    (tmp_path / "a.md").write_text("---\ntitle: Nested\n---\n\n" + "- " * 2400 + "a\n")
    (tmp_path / "b.md").write_text("---\ntitle: Fine\n---\n\nText.\n")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert "a.md: too intricate to render in time" in result.output
    assert "Imported 1 posts." in result.output
    assert [post.title for post in db.session.scalars(select(Post))] == ["Fine"]
