"""A site move: export a whole site, import it into an empty one, and get every row of
every table back (but the secrets), and every media file."""

import io
import json
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from blog import create_app
from blog.accounts.authors import create_author
from blog.content import render_page
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import (
    Author,
    CommentStatus,
    ImportItem,
    Moderation,
    PathRedirect,
    Post,
    Reviewer,
    Subscriber,
)
from blog.posts import portability
from blog.posts.stats import Seen, write_views
from tests.comment_helpers import BROWSER, change_settings
from tests.conftest import IsolatedClient, base_config, page_text
from tests.media_samples import image_bytes, upload

# What a move leaves behind, and why: secrets, and what only meant something on the old server.
LEFT_BEHIND = portability.LEFT_BEHIND
NEW_PASSWORD = "mossy granite lantern 42 otters"


@pytest.fixture
def config_overrides():
    return {"RENDER_IN_PROCESS": True}


def editor_form(**fields) -> dict:
    data = {"title": "Salt", "body": "Salt text.", "status": "published"}
    data.update(audience="patients", medical="y", tags="Heart, Salt")
    data.update(fields)
    return data


@pytest.fixture
def full_site(app, author, author_client, make_comment):
    """A site with something in every table: settings and profile, an image used as a
    cover and in a text, published, scheduled, draft and trashed posts, revisions and an
    autosave, an old slug, threaded comments in every status, likes and views, a
    subscriber and the posts' mail plans."""
    author.job_title = "Cardiologist"
    author.bio_md = "I treat *hearts*."
    author.bio_html = render_page(author.bio_md)
    about = "Notes from a **clinic**."
    change_settings(
        site_title="Heart Notes",
        tagline="From the clinic",
        timezone="Europe/Paris",
        about_md=about,
        about_html=render_page(about),
        moderation=Moderation.HOLD_ALL,
        close_comments_after_days=90,
        blocklist="casino",
        same_as="https://example.org/ada",
        show_views=False,
    )
    image = upload(author_client, image_bytes((1200, 800)), alt="A salt shaker").get_json()
    author.short_bio, author.headshot_media_id = "Cardiologist.", image["id"]
    page = {"title": "Clinic hours", "body": "Mondays.", "status": "published", "in_menu": "y"}
    assert author_client.post("/admin/pages/new", data=page).status_code == 303
    body = f"Salt text.\n\n{image['markdown']}\n\nMore."
    form = editor_form(body=body, cover_media_id=str(image["id"]), featured="y")
    form.update(excerpt="Salt, briefly", meta_description="About salt", reviewed_by="Dr. B")
    form.update(last_reviewed="2026-01-15")
    assert author_client.post("/admin/posts/new", data=form).status_code == 303
    salt = db.session.scalar(select(Post).where(Post.slug == "salt"))
    form.update(slug="salt-and-blood-pressure", body=body + "\n\nEdited.")
    assert author_client.post(f"/admin/posts/{salt.id}/edit", data=form).status_code == 303
    author_client.post(
        "/admin/posts/autosave",
        data={"post_id": str(salt.id), "title": "Salt", "body": "Unsaved words."},
        headers={"X-Requested-With": "fetch"},
    )
    later = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    for extra in (
        editor_form(title="Sleep", status="scheduled", published_at=later, tags="Sleep"),
        editor_form(title="Draft", status="draft", tags=""),
        editor_form(title="Gone", tags="Heart"),
    ):
        assert author_client.post("/admin/posts/new", data=extra).status_code == 303
    gone = db.session.scalar(select(Post).where(Post.slug == "gone"))
    author_client.post(f"/admin/posts/{gone.id}/delete")

    salt = db.session.get(Post, salt.id)
    first = make_comment(salt, body="Helpful.", name="Li", email="li@example.org")
    make_comment(salt, body="Agreed.", name="Sam", parent_id=first.id, browser_hash="b" * 64)
    make_comment(salt, body="Waiting.", status=CommentStatus.PENDING, ip_hash="a" * 64)
    make_comment(salt, body="Buy casino", status=CommentStatus.SPAM, hold_reason="blocklist")
    make_comment(salt, body="Thanks, Li.", name="Dr. Ada", parent_id=first.id, is_author=True)
    reader = app.test_client()
    reader.post("/post/salt-and-blood-pressure/like", headers=BROWSER)  # the cookie first
    reader.post("/post/salt-and-blood-pressure/like", headers=BROWSER)
    # A colleague who reviewed it, and what an import from an old blog left.
    salt.reviewer = Reviewer(name="Dr. B", credentials="MD", url="https://example.org/b")
    db.session.add(PathRedirect(path="/2019/05/01/salt/", post_id=salt.id))
    db.session.add(ImportItem(source="wordpress", kind="post", original_id="7", post_id=salt.id))
    db.session.add(Subscriber(email="reader@example.org", source="post", source_post_id=salt.id))
    db.session.commit()
    days = [utcnow().date(), date(2026, 1, 2)]
    write_views([Seen(salt.slug, day, "r" * 64) for day in days])
    return salt


def rows(table) -> list[dict]:
    query = select(table).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def site_tables(author_id: int) -> dict[str, list[dict]]:
    """Every carried table's rows, comparable between two sites: the author is her
    profile, and posts name "the author" rather than her id on either site."""
    found = {}
    for table in db.metadata.sorted_tables:
        if table.name in LEFT_BEHIND:
            continue
        found[table.name] = [
            {key: value for key, value in row.items() if key != "ip_hash"} for row in rows(table)
        ]
    found["authors"] = [
        {key: row[key] for key in portability.PROFILE}
        for row in found["authors"]
        if row["id"] == author_id
    ]
    for row in found["posts"]:
        assert row.pop("author_id") == author_id
    return found


def media_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture
def empty_site(migrated_template, tmp_path):
    """A new site: the schema, the author's new account, nothing else."""
    folder = tmp_path / "new"
    folder.mkdir()
    shutil.copy(migrated_template, folder / "blog.sqlite3")
    site = create_app({**base_config(folder / "blog.sqlite3", folder), "RENDER_IN_PROCESS": True})
    site.test_client_class = IsolatedClient
    with site.app_context():
        create_author("Ada L.", "ada@new.example", NEW_PASSWORD)
        db.session.commit()
        db.session.remove()
    yield site
    with site.app_context():
        db.engine.dispose()


def test_a_site_moves_whole_through_an_export(full_site, author, runner, app, empty_site, tmp_path):
    before = site_tables(author.id)
    for name, found in before.items():
        assert found, f"the site under test has nothing in {name}"
    files_before = media_files(Path(app.config["MEDIA_DIR"]))
    uploads = [name for name in files_before if not name.endswith("-1200.png")]
    assert len(uploads) == 6  # 480, 960 and 1200 px wide, WebP and JPEG
    # and the share pictures drawn for the posts without a cover, which move with them
    assert len(files_before) > 6
    export = tmp_path / "site.zip"
    assert runner.invoke(args=["export", str(export)]).exit_code == 0

    with empty_site.app_context():
        result = empty_site.test_cli_runner().invoke(args=["import", str(export)])
        assert result.exit_code == 0, result.output
        assert result.output == (
            "Imported the site into Dr. Ada Lovelace's account: 4 posts, 3 tags, 6 revisions, "
            "1 old address, 5 comments, 1 like, 2 days of views, 1 page, 1 image "
            f"({len(files_before)} files), the settings and the profile.\n"
        )
        account = db.session.scalar(select(Author))
        after = site_tables(account.id)
        assert (account.email, account.can_sign_in) == ("ada@new.example", True)
        db.session.remove()
    assert after == before
    assert media_files(Path(empty_site.config["MEDIA_DIR"])) == files_before

    reader = empty_site.test_client()
    page = page_text(reader.get("/post/salt-and-blood-pressure", headers=BROWSER))
    assert "Helpful." in page and "Thanks, Li." in page and "Waiting." not in page
    assert "1 like" in page and "Heart Notes" in page
    image_url = json.loads(page.split('<script type="application/ld+json">')[1].split("</")[0])
    assert reader.get(image_url["image"]["url"].split("localhost")[1]).status_code == 200
    assert (
        reader.get("/post/salt", headers=BROWSER)
        .headers["Location"]
        .endswith("/post/salt-and-blood-pressure")
    )
    assert "Salt" in page_text(reader.get("/search?q=salt"))
    assert reader.get("/post/gone").status_code == 410
    assert "Notes from a <strong>clinic</strong>." in page_text(reader.get("/about"))
    assert "Mondays." in page_text(reader.get("/page/clinic-hours"))
    assert 'href="/page/clinic-hours"' in page_text(reader.get("/")).split("</header>")[0]


def test_a_site_export_leaves_the_secrets_behind(full_site, author, runner, tmp_path):
    author.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    export = tmp_path / "site.zip"
    runner.invoke(args=["export", str(export)])
    with zipfile.ZipFile(export) as archive:
        names = set(archive.namelist())
        data = json.loads(archive.read("data.json"))
        everything = b"".join(archive.read(name) for name in names if name.startswith("tables/"))
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    assert data["format"] == "rounds-export/2" and data["schema_revision"] == head
    assert data["tables"]["comments"] == 5 and data["tables"]["post_likes"] == 1
    assert {f"tables/{name}.jsonl" for name in LEFT_BEHIND}.isdisjoint(names)
    assert sorted(data["left_behind"]["tables"]) == sorted(LEFT_BEHIND)
    assert author.password_hash.encode() not in everything
    assert b"JBSWY3DPEHPK3PXP" not in everything and b"a" * 64 not in everything
    assert b"li@example.org" in everything  # the author's own records of her readers


def test_a_site_export_goes_only_into_an_empty_site_with_an_account(
    full_site, runner, tmp_path, empty_site, make_post
):
    export = tmp_path / "site.zip"
    runner.invoke(args=["export", str(export)])
    result = runner.invoke(args=["import", str(export)])  # into the site it came from
    assert result.exit_code == 1
    assert "A site export goes into an empty site, and this one already has " in result.output
    assert "post likes" in result.output
    assert "import with --posts-only" in result.output

    nobody = tmp_path / "nobody"
    nobody.mkdir()
    shutil.copy(empty_site.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), nobody)
    accountless = create_app(base_config(nobody / "blog.sqlite3", nobody))
    with accountless.app_context():
        db.session.query(Author).delete()
        db.session.commit()
        result = accountless.test_cli_runner().invoke(args=["import", str(export)])
        db.engine.dispose()
    assert result.exit_code == 1 and "Create your account on this site first" in result.output


def test_a_site_export_from_a_newer_version_is_refused_whole(
    full_site, runner, tmp_path, empty_site
):
    export, changed = tmp_path / "site.zip", tmp_path / "newer.zip"
    runner.invoke(args=["export", str(export)])
    with zipfile.ZipFile(export) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "tables/comments.jsonl":
                data = data.replace(b'"status":', b'"mood": "calm", "status":')
            target.writestr(item, data)
        target.writestr("media/../../escaped-0123456789-480.jpg", b"no")
    with empty_site.app_context():
        result = empty_site.test_cli_runner().invoke(args=["import", str(changed)])
        assert result.exit_code == 1, result.output
        assert "tables/comments.jsonl line 1 has columns this version doesn't know (mood)" in (
            result.output
        )
        assert db.session.scalar(select(Post.id)) is None  # nothing half imported
        db.session.remove()
    assert not (tmp_path / "escaped-0123456789-480.jpg").exists()


def test_the_admin_export_is_the_same_site_export(full_site, author_client):
    response = author_client.get("/admin/export")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        data = json.loads(archive.read("data.json"))
        assert "tables/revisions.jsonl" in archive.namelist()
    assert data["format"] == "rounds-export/2" and data["tables"]["revisions"] >= 3
