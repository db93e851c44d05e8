"""No silent overwrite: a save or autosave from a page opened before the post changed gets
the conflict view (409) with both versions, and overwrites only when told to."""

import re

from sqlalchemy import event, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from blog.extensions import db
from blog.models import Post, Revision
from blog.posts.writing import version_of
from tests.conftest import page_text

FETCH = {"X-Requested-With": "fetch"}


def opened(client, post) -> str:
    """The version an editor page opened now is based on (its hidden field)."""
    page = client.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    return re.search(r'name="version" id="version" value="([^"]+)"', page).group(1)


def save(client, post, body, version, title="A post", **fields):
    data = {"title": title, "body": body, "status": "draft", "audience": "patients"}
    data.update(version=version, **fields)
    return client.post(f"/admin/posts/{post.id}/edit", data=data)


def stored(post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


def test_the_page_carries_the_version_it_was_opened_at(author_client, make_post):
    post = make_post("A post", body="Saved")
    assert opened(author_client, post) == version_of(post)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", version_of(post))


def test_a_save_from_a_stale_tab_gets_both_versions_and_overwrites_nothing(
    author_client, make_post
):
    post = make_post("A post", body="The first paragraph.\n\nBlood pressure at home.")
    first_tab = second_tab = opened(author_client, post)
    response = save(
        author_client, post, "The first paragraph.\n\nBlood pressure in clinic.", first_tab
    )
    assert response.status_code == 303
    response = save(
        author_client, post, "The first paragraph.\n\nBlood pressure <b>at night</b>.", second_tab
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "This post changed in another tab or window" in text
    assert "The post was not saved" in text
    # A word diff, from theirs to mine, with the author's text escaped.
    section = html.split('id="conflict"')[1].split("</section>")[0]
    assert "<del>in</del>" in section and "<del>clinic</del>" in section
    assert "<ins>&lt;</ins>" in section or "<ins>&lt;b&gt;" in section
    assert "<b>" not in section
    # "Keep mine" overwrites exactly the version shown; "Keep theirs" reloads it.
    keep_mine = re.search(r'name="overwrite" value="([^"]+)"', html).group(1)
    assert keep_mine == version_of(stored(post))
    assert f'href="/admin/posts/{post.id}/edit" data-conflict="keep-theirs"' in html
    assert "Copy my text" in text
    # The author's text is still in the editor, and nothing was overwritten.
    assert "Blood pressure &lt;b&gt;at night&lt;/b&gt;." in html
    assert stored(post).body_md.endswith("in clinic.")


def test_keep_mine_saves_over_the_version_it_was_shown(author_client, make_post):
    post = make_post("A post", body="Original")
    stale = opened(author_client, post)
    save(author_client, post, "Theirs", stale)
    shown = version_of(stored(post))
    response = save(author_client, post, "Mine", stale, overwrite=shown)
    assert response.status_code == 303
    assert stored(post).body_md == "Mine"
    bodies = db.session.scalars(select(Revision.body_md).where(Revision.post_id == post.id))
    assert "Theirs" in list(bodies)  # the version not kept stays in the revisions


def test_keep_mine_after_yet_another_save_is_a_conflict_again(author_client, make_post):
    post = make_post("A post", body="Original")
    stale = opened(author_client, post)
    save(author_client, post, "Theirs", stale)
    shown = version_of(stored(post))
    save(author_client, post, "Theirs again", shown)
    response = save(author_client, post, "Mine", stale, overwrite=shown)
    assert response.status_code == 409
    assert stored(post).body_md == "Theirs again"


def test_a_script_save_gets_the_conflict_as_json(author_client, make_post):
    post = make_post("A post", body="Original")
    stale = opened(author_client, post)
    save(author_client, post, "Theirs", stale)
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": "A post", "body": "Mine", "status": "draft", "version": stale},
        headers=FETCH,
    )
    assert response.status_code == 409
    data = response.get_json()
    assert "not saved" in data["error"]
    assert data["version"] == version_of(stored(post))
    assert '<section class="conflict"' in data["conflict"]
    assert "<del>Theirs</del>" in data["conflict"] and "<ins>Mine</ins>" in data["conflict"]


def test_an_autosave_from_a_stale_tab_is_refused_too(author_client, make_post):
    post = make_post("A post", body="Original")
    stale = opened(author_client, post)
    # Another tab autosaves, then this one does.
    other = author_client.post(
        "/admin/posts/autosave",
        data={"post_id": post.id, "title": "A post", "body": "Their draft", "version": stale},
    ).get_json()
    assert other["saved"] and other["version"] != stale
    response = author_client.post(
        "/admin/posts/autosave",
        data={"post_id": post.id, "title": "A post", "body": "My draft", "version": stale},
    )
    assert response.status_code == 409
    data = response.get_json()
    assert "Autosave paused" in data["error"] and data["version"] == other["version"]
    assert "autosaved" in data["conflict"] and "<del>Their</del>" in data["conflict"]
    newest = db.session.scalar(
        select(Revision).where(Revision.post_id == post.id).order_by(Revision.id.desc())
    )
    assert newest.body_md == "Their draft"
    # Keeping mine autosaves over it; theirs stays in the history.
    kept = author_client.post(
        "/admin/posts/autosave",
        data={
            "post_id": post.id,
            "title": "A post",
            "body": "My draft",
            "version": stale,
            "overwrite": other["version"],
        },
    )
    assert kept.status_code == 200
    bodies = list(db.session.scalars(select(Revision.body_md).where(Revision.post_id == post.id)))
    assert "Their draft" in bodies and "My draft" in bodies


def test_a_save_after_another_tabs_autosave_is_a_conflict(author_client, make_post):
    post = make_post("A post", body="Original")
    stale = opened(author_client, post)
    author_client.post(
        "/admin/posts/autosave",
        data={"post_id": post.id, "title": "A post", "body": "Their draft", "version": stale},
    )
    response = save(author_client, post, "Mine", stale)
    assert response.status_code == 409
    assert "autosaved" in page_text(response)


def test_a_pages_own_autosaves_and_save_are_no_conflict(author_client, make_post):
    post = make_post("A post", body="Original")
    version = opened(author_client, post)
    for body in ("Typing", "Typing more"):
        answer = author_client.post(
            "/admin/posts/autosave",
            data={"post_id": post.id, "title": "A post", "body": body, "version": version},
        ).get_json()
        version = answer["version"]
    assert save(author_client, post, "Typing more, then saved", version).status_code == 303
    # An autosave whose answer never arrived is sent again with the older version: the
    # text on the server is the one it sends, so nothing would be lost.
    version = opened(author_client, post)
    author_client.post(
        "/admin/posts/autosave",
        data={"post_id": post.id, "title": "A post", "body": "Lost answer", "version": version},
    )
    again = author_client.post(
        "/admin/posts/autosave",
        data={"post_id": post.id, "title": "A post", "body": "Lost answer", "version": version},
    )
    assert again.status_code == 200


def test_a_save_without_a_version_is_not_checked(author_client, make_post):
    """Forms from before versions existed (and scripts) keep working."""
    post = make_post("A post", body="Original")
    response = author_client.post(
        f"/admin/posts/{post.id}/edit",
        data={"title": "A post", "body": "Plain", "status": "draft", "audience": "patients"},
    )
    assert response.status_code == 303
    assert stored(post).body_md == "Plain"


def test_a_garbled_version_is_a_conflict_not_an_error(author_client, make_post):
    post = make_post("A post", body="Original")
    assert save(author_client, post, "Mine", "not a time").status_code == 409
    assert stored(post).body_md == "Original"


def test_saves_and_autosaves_check_the_version_holding_the_posts_row(author_client, make_post):
    """On PostgreSQL two saves of one post run side by side: each locks the post's row
    (SELECT ... FOR UPDATE) before comparing versions, so the later one sees the earlier
    one's change and gets the conflict view instead of overwriting it. (SQLite takes its
    write lock at BEGIN IMMEDIATE; the lock is checked here as PostgreSQL would get it.)"""
    post = make_post("A post", body="Saved")
    version = opened(author_client, post)
    locks: list[str] = []

    def note_lock(state):
        sql = str(state.statement.compile(dialect=postgresql.dialect()))
        if "FOR UPDATE" in sql and "FROM posts" in sql:
            locks.append(sql)

    event.listen(Session, "do_orm_execute", note_lock)
    try:
        assert save(author_client, post, "Mine", version).status_code == 303
        assert len(locks) == 1
        autosaved = author_client.post(
            "/admin/posts/autosave",
            data={"post_id": post.id, "title": "A post", "body": "Mine, more", "version": "x"},
            headers=FETCH,
        )
        assert autosaved.status_code == 409
        assert len(locks) == 2
    finally:
        event.remove(Session, "do_orm_execute", note_lock)
