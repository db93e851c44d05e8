"""`flask backup` and `flask restore`: a backup taken while readers comment holds every
comment acknowledged before it began, and restores into an empty instance that serves;
a restore checks before it replaces anything and keeps what it replaced."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from alembic.script import ScriptDirectory
from sqlalchemy import select

from blog import create_app
from blog.core import backups
from blog.extensions import db
from blog.models import Comment, Moderation, Post, Tag
from tests.comment_helpers import BROWSER, change_settings, form_data
from tests.conftest import IsolatedClient, base_config, page_text

CONFIG_TEXT = "SECRET_KEY = 'a-secret-key-that-belongs-to-this-site-only'\n"
MEDIA = {"0123456789abcdef0123-480.webp": b"RIFF-small", "0123456789abcdef0123-960.jpg": b"JPEG"}
HEAD = ScriptDirectory(str(Path(__file__).parents[2] / "migrations")).get_current_head()


@pytest.fixture
def config_overrides():
    return {"COMMENT_MIN_SECONDS": 0, "RENDER_IN_PROCESS": True}


@pytest.fixture
def site(app, tmp_path):
    """The test app as a whole site: its instance folder (config.py), database and media."""
    app.instance_path = str(tmp_path)
    (tmp_path / "config.py").write_text(CONFIG_TEXT)
    media = Path(app.config["MEDIA_DIR"])
    media.mkdir()
    for name, data in MEDIA.items():
        (media / name).write_bytes(data)
    return app


def empty_instance(folder: Path):
    """A fresh instance folder with nothing in it yet: no database, no media, no config."""
    folder.mkdir()
    app = create_app(base_config(folder / "blog.sqlite3", folder))
    app.instance_path = str(folder)
    app.test_client_class = IsolatedClient
    return app


def back_up(runner, *args):
    result = runner.invoke(args=["backup", *args])
    assert result.exit_code == 0, result.output
    return result


def restore(runner, folder, *args):
    db.session.close()  # the test's own connection, like any other, would block the restore
    return runner.invoke(args=["restore", str(folder), *args])


def only_backup(root: Path) -> Path:
    (folder,) = backups.complete_backups(root)
    return folder


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def rewrite_manifest(folder: Path, name: str) -> None:
    """Make the manifest agree with a changed file, as a careful forger would."""
    manifest = manifest_of(folder)
    data = (folder / name).read_bytes()
    manifest["files"][name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest))


# -- Backing up --------------------------------------------------------------------------


def test_a_backup_during_comment_writes_restores_every_acknowledged_comment(
    site, runner, author, make_post, tmp_path
):
    post = make_post("Salt", author=author)
    change_settings(moderation=Moderation.OPEN)
    fields = form_data(post)
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def reader(number: int) -> None:
        client = site.test_client()
        sent = 0
        while not stop.is_set() and not failures:
            body = f"Comment {number}-{sent} on salt."
            response = client.post(
                "/post/salt/comments", data={**fields, "body": body}, headers=BROWSER
            )
            if response.status_code != 303:
                failures.append(f"{response.status_code}: {page_text(response)[:200]}")
                return
            acknowledged.append(body)
            sent += 1

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(4)]
    for thread in readers:
        thread.start()
    try:
        while len(acknowledged) < 40 and not failures:
            stop.wait(0.01)
        before = list(acknowledged)  # every comment acknowledged before the backup began
        result = runner.invoke(args=["backup"])
        while len(acknowledged) < len(before) + 20 and not failures:
            stop.wait(0.01)  # and more after it
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert not failures and result.exit_code == 0, (failures, result.output)

    moved = empty_instance(tmp_path / "moved")
    with moved.app_context():
        result = moved.test_cli_runner().invoke(
            args=["restore", str(only_backup(tmp_path / "backups")), "--yes"]
        )
        assert result.exit_code == 0, result.output
        restored = set(db.session.scalars(select(Comment.body_md)))
        db.session.remove()
    assert set(before) <= restored
    assert restored <= set(acknowledged)
    client = moved.test_client()
    assert client.get("/").status_code == 200
    assert before[0] in page_text(client.get("/post/salt", headers=BROWSER))
    assert (tmp_path / "moved" / "config.py").read_text() == CONFIG_TEXT
    assert client.get("/media/0123456789abcdef0123-960.jpg").data == b"JPEG"


def test_a_backup_is_private_checked_and_described_by_its_manifest(site, runner, tmp_path):
    output = back_up(runner).output
    root = tmp_path / "backups"
    folder = only_backup(root)
    assert output.startswith(
        "Backed up the database, instance/config.py and 2 media files (2 copied, 0 unchanged"
    )
    assert f"to {folder}." in output
    for path in (root, folder, folder / "media"):
        assert path.stat().st_mode & 0o777 == 0o700, path
    names = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    assert names == {"manifest.json", "blog.sqlite3", "config.py", *(f"media/{n}" for n in MEDIA)}
    for name in names:
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name

    manifest = manifest_of(folder)
    assert manifest["format"] == "rounds-backup/1" and manifest["app_version"] == "0.1.0"
    assert manifest["schema_revision"] == HEAD
    assert manifest["database"] == {"file": "blog.sqlite3", "integrity_check": "ok"}
    assert datetime.fromisoformat(manifest["created_at"]).strftime("%Y-%m-%dT%H%M%SZ") == (
        folder.name
    )
    for name in names - {"manifest.json"}:
        data = (folder / name).read_bytes()
        assert manifest["files"][name] == {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    assert manifest["files"]["config.py"]["size"] == len(CONFIG_TEXT)
    copy = sqlite3.connect(folder / "blog.sqlite3")
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()


def test_unchanged_media_are_hard_links_to_the_previous_backup(site, runner, tmp_path):
    root, media = tmp_path / "backups", Path(site.config["MEDIA_DIR"])
    start = datetime(2026, 3, 1, 3, 30)
    with time_machine.travel(start, tick=False):
        back_up(runner)
    (media / "fedcba9876543210fedc-480.png").write_bytes(b"PNG new")
    (media / ".upload-half-written").write_bytes(b"partial")
    with time_machine.travel(start + timedelta(days=1), tick=False):
        output = back_up(runner).output
    assert "3 media files (1 copied, 2 unchanged since the previous backup" in output
    first, second = backups.complete_backups(root)
    for name in MEDIA:
        assert (first / "media" / name).stat().st_ino == (second / "media" / name).stat().st_ino
        assert (second / "media" / name).stat().st_nlink == 2
    assert (second / "media" / "fedcba9876543210fedc-480.png").stat().st_nlink == 1
    assert not (second / "media" / ".upload-half-written").exists()
    assert manifest_of(second)["files"]["media/fedcba9876543210fedc-480.png"]["size"] == 7


def test_a_site_without_uploads_backs_up_and_restores(app, runner, make_post, tmp_path):
    app.instance_path = str(tmp_path)
    make_post("Walking")
    assert not Path(app.config["MEDIA_DIR"]).exists()
    back_up(runner)
    folder = only_backup(tmp_path / "backups")
    assert set(manifest_of(folder)["files"]) == {"blog.sqlite3"}
    moved = empty_instance(tmp_path / "moved")
    with moved.app_context():
        result = moved.test_cli_runner().invoke(args=["restore", str(folder), "--yes"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "moved" / "media").is_dir()
    assert "Walking" in page_text(moved.test_client().get("/"))


def test_backups_older_than_the_setting_are_deleted_but_never_the_newest(site, runner, tmp_path):
    root = tmp_path / "backups"
    site.config["BACKUP_KEEP_DAYS"] = 14
    start = datetime(2026, 3, 1, 3, 30)
    with time_machine.travel(start, tick=False):
        back_up(runner)
    with time_machine.travel(start + timedelta(days=30), tick=False):
        assert backups.prune(root, 14) == []  # old, but the only one
    (root / ".partial-2026-03-29T033000Z").mkdir()  # a run that died
    (root / "notes").mkdir()
    outputs = []
    for day in (36, 44, 51):
        with time_machine.travel(start + timedelta(days=day), tick=False):
            outputs.append(back_up(runner).output)
    assert "Deleted 2 backups older than 14 days." in outputs[0]  # day 0, and the partial
    assert "Deleted" not in outputs[1]
    assert "Deleted 1 backup older than 14 days." in outputs[2]
    kept = [folder.name for folder in backups.complete_backups(root)]
    assert kept == ["2026-04-14T033000Z", "2026-04-21T033000Z"]
    assert sorted(path.name for path in root.iterdir() if not path.name.startswith("2026")) == [
        ".lock",
        "notes",
    ]


def test_backup_refuses_when_there_is_no_database(tmp_path):
    nowhere = create_app(base_config(tmp_path / "none" / "blog.sqlite3", tmp_path))
    with nowhere.app_context():
        result = nowhere.test_cli_runner().invoke(args=["backup", str(tmp_path / "b")])
    assert result.exit_code == 1 and "There is no database at" in result.output
    assert not (tmp_path / "b").exists()


# -- Restoring ------------------------------------------------------------------------------


def test_restore_keeps_the_previous_database_media_and_config(site, runner, make_post, tmp_path):
    make_post("Before the backup")
    back_up(runner)
    make_post("After the backup")
    media = Path(site.config["MEDIA_DIR"])
    (media / "fedcba9876543210fedc-480.png").write_bytes(b"later upload")
    (tmp_path / "config.py").write_text(CONFIG_TEXT + "SITE_URL = 'https://new.example'\n")

    result = restore(runner, only_backup(tmp_path / "backups"), "--yes")
    assert result.exit_code == 0, result.output
    assert [post.title for post in db.session.scalars(select(Post))] == ["Before the backup"]
    assert sorted(path.name for path in media.iterdir()) == sorted(MEDIA)
    assert (media / "0123456789abcdef0123-960.jpg").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "config.py").read_text() == CONFIG_TEXT

    (aside,) = tmp_path.glob("before-restore-*")
    assert f"What it replaced is in {aside}" in result.output
    assert "Start the site again" in result.output
    kept = sqlite3.connect(aside / "blog.sqlite3")
    assert {title for (title,) in kept.execute("SELECT title FROM posts")} == {
        "Before the backup",
        "After the backup",
    }
    kept.close()
    assert (aside / "media" / "fedcba9876543210fedc-480.png").read_bytes() == b"later upload"
    assert "new.example" in (aside / "config.py").read_text()
    assert not list(tmp_path.glob(".restore-*"))


def test_restore_leaves_a_stale_wal_with_the_database_it_belongs_to(
    site, runner, make_post, tmp_path
):
    """A -wal left by a process that died holds writes of the database it belongs to: it
    must never be replayed onto the restored one (a plain `cp` over the file does that)."""
    make_post("In the backup")
    back_up(runner)
    db.session.close()
    db.engine.dispose()
    live = Path(site.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    crash = "import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
    crash += "c.execute(\"INSERT INTO tags (name, slug) VALUES ('Only in the wal', 'wal')\"); "
    crash += "c.commit(); os._exit(0)"  # dies without closing: the write is only in the -wal
    subprocess.run([sys.executable, "-c", crash, str(live)], check=True)
    assert Path(f"{live}-wal").stat().st_size > 0

    result = restore(runner, only_backup(tmp_path / "backups"), "--yes")
    assert result.exit_code == 0, result.output
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0
    check = sqlite3.connect(live)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert check.execute("SELECT count(*) FROM tags WHERE slug = 'wal'").fetchone() == (0,)
    check.close()
    assert [post.title for post in db.session.scalars(select(Post))] == ["In the backup"]
    (aside,) = tmp_path.glob("before-restore-*")
    kept = sqlite3.connect(aside / "blog.sqlite3")
    assert kept.execute("SELECT name FROM tags WHERE slug = 'wal'").fetchone() == (
        "Only in the wal",
    )
    kept.close()


def test_restore_refuses_while_the_site_has_the_database_open(site, runner, make_post, tmp_path):
    make_post("Kept")
    back_up(runner)
    live = site.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    worker = sqlite3.connect(live)  # a gunicorn worker between two requests
    worker.execute("SELECT count(*) FROM posts").fetchone()
    try:
        result = restore(runner, only_backup(tmp_path / "backups"), "--yes")
    finally:
        worker.close()
    assert result.exit_code == 1
    assert "The site is running" in result.output and "systemctl stop rounds" in result.output
    assert not list(tmp_path.glob("before-restore-*")) and not list(tmp_path.glob(".restore-*"))
    assert restore(runner, only_backup(tmp_path / "backups"), "--yes").exit_code == 0


def corrupt_media(folder: Path) -> str:
    path = folder / "media" / "0123456789abcdef0123-960.jpg"
    path.unlink()  # a hard link: write a new file rather than change the shared one
    path.write_bytes(b"JPEg")
    return "media/0123456789abcdef0123-960.jpg does not match its checksum"


def corrupt_database(folder: Path) -> str:
    path = folder / "blog.sqlite3"
    data = bytearray(path.read_bytes())
    for page in range(2, len(data) // 4096):  # keep the header; scramble every other page
        data[page * 4096 + 8 : page * 4096 + 40] = os.urandom(32)
    path.write_bytes(bytes(data))
    rewrite_manifest(folder, "blog.sqlite3")
    return "The backup's database"


def newer_schema(folder: Path) -> str:
    copy = sqlite3.connect(folder / "blog.sqlite3")
    copy.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    copy.commit()
    copy.close()
    rewrite_manifest(folder, "blog.sqlite3")
    return "schema revision ffffffffffff, which this version of Rounds does not know"


def escaping_name(folder: Path) -> str:
    manifest = manifest_of(folder)
    manifest["files"]["media/../../config.py"] = manifest["files"]["config.py"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return "'media/../../config.py' is not a file a backup holds"


def no_manifest(folder: Path) -> str:
    (folder / "manifest.json").unlink()
    return "is not a backup: it has no manifest.json"


def missing_file(folder: Path) -> str:
    (folder / "config.py").unlink()
    return "config.py is missing"


@pytest.mark.parametrize(
    "damage",
    [corrupt_media, corrupt_database, newer_schema, escaping_name, no_manifest, missing_file],
)
def test_restore_refuses_a_damaged_or_tampered_backup_and_changes_nothing(
    site, runner, make_post, tmp_path, damage
):
    make_post("The live post")
    back_up(runner)
    folder = only_backup(tmp_path / "backups")
    expected = damage(folder)
    result = restore(runner, folder, "--yes")
    assert result.exit_code == 1 and expected in result.output, result.output
    assert "Traceback" not in result.output
    assert [post.title for post in db.session.scalars(select(Post))] == ["The live post"]
    assert sorted(p.name for p in Path(site.config["MEDIA_DIR"]).iterdir()) == sorted(MEDIA)
    assert not list(tmp_path.glob("before-restore-*")) and not list(tmp_path.glob(".restore-*"))


def test_restore_asks_first_and_must_run_as_the_sites_user(site, runner, make_post, tmp_path):
    make_post("Kept")
    back_up(runner)
    folder = only_backup(tmp_path / "backups")
    db.session.close()
    answered_no = runner.invoke(args=["restore", str(folder)], input="n\n")
    assert answered_no.exit_code == 1 and "Aborted" in answered_no.output
    someone_else = os.geteuid() + 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "geteuid", lambda: someone_else)
        result = runner.invoke(args=["restore", str(folder), "--yes"])
    assert result.exit_code == 1 and "Run the restore as the site's user" in result.output
    assert not list(tmp_path.glob("before-restore-*"))
    assert db.session.scalar(select(Tag.id)) is None


def test_the_first_backup_after_a_restore_links_the_media_it_put_back(site, runner, tmp_path):
    start = datetime(2026, 3, 1, 3, 30)
    with time_machine.travel(start, tick=False):
        back_up(runner)
    assert restore(runner, only_backup(tmp_path / "backups"), "--yes").exit_code == 0
    with time_machine.travel(start + timedelta(days=1), tick=False):
        output = back_up(runner).output
    assert f"{len(MEDIA)} media files (0 copied, {len(MEDIA)} unchanged" in output
