"""The editor's action bar: the buttons each status calls for, what each does, where the
result of a save appears, and the rest of the page around the text."""

import html as html_module
import json
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from blog.core.clock import format_datetime, utcnow
from blog.extensions import db
from blog.models import Post, PostStatus, Settings
from tests.conftest import page_text, sign_in
from tests.media_samples import image_bytes, upload

FETCH = {"X-Requested-With": "fetch"}


def form(**fields):
    data = {"title": "Salt and blood pressure", "body": "Most salt is in food.", "status": "draft"}
    data.update(fields)
    return data


def stored(post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


def bar_buttons(page: str) -> list[str]:
    bar = page.split('class="editor-bar__actions"')[1].split('class="editor-bar__problem"')[0]
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<(?:button|summary)[^>]*>(.*?)</(?:button|summary)>", bar)
    ]


@pytest.mark.parametrize(
    ("status", "buttons"),
    [
        ("draft", ["Save draft", "Schedule", "Schedule", "Publish"]),
        ("scheduled", ["Unschedule", "Reschedule", "Reschedule", "Update", "Publish now"]),
        ("published", ["Unpublish", "Date", "Update", "Update"]),
    ],
)
def test_the_buttons_follow_the_status(author_client, make_post, status, buttons):
    when = {"published_at": utcnow() + timedelta(days=2)} if status == "scheduled" else {}
    post = make_post("A post", status=status, **when)
    page = author_client.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    assert bar_buttons(page) == buttons  # a date menu: its toggle and its own button


def test_a_new_post_offers_save_draft_schedule_and_publish(author_client):
    page = author_client.get("/admin/posts/new").get_data(as_text=True)
    assert bar_buttons(page) == ["Save draft", "Schedule", "Schedule", "Publish"]
    # Enter in a field presses the first button: a plain save, never Publish or Unpublish.
    first = re.search(r'<form class="editor".*?(<button[^>]*>)', page, re.S).group(1)
    assert 'type="submit"' in first and "name=" not in first


def test_publish_now_on_a_scheduled_post_publishes_it_now(author_client, make_post, author):
    with time_machine.travel(datetime(2026, 5, 4, 9, 0), tick=False):
        sign_in(author_client, author)
        post = make_post("Soon", status=PostStatus.SCHEDULED, published_at=datetime(2026, 5, 9, 7))
        response = author_client.post(
            f"/admin/posts/{post.id}/edit",
            # The page sends the scheduled date along, as it is in the form.
            data=form(status="scheduled", published_at="2026-05-09T07:00", intent="publish"),
            headers=FETCH,
        )
        assert response.status_code == 200
        assert stored(post).status == PostStatus.PUBLISHED
        assert stored(post).published_at == datetime(2026, 5, 4, 9, 0)
        assert "Published." in page_text(author_client.get(f"/admin/posts/{post.id}/edit"))


def test_publish_keeps_a_date_in_the_past(author_client):
    author_client.post(
        "/admin/posts/new", data=form(published_at="2024-01-02T08:00", intent="publish")
    )
    post = db.session.scalar(select(Post))
    assert post.status == PostStatus.PUBLISHED and post.published_at == datetime(2024, 1, 2, 8)


def test_schedule_uses_the_date_and_refuses_a_missing_one(author_client):
    response = author_client.post("/admin/posts/new", data=form(intent="schedule"), headers=FETCH)
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] == (
        "The post was not saved: Choose the date and time to publish a scheduled post."
    )
    assert data["fields"]["published_at"]["label"] == "Publication date and time"
    assert db.session.scalar(select(Post)) is None
    later = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    author_client.post("/admin/posts/new", data=form(published_at=later, intent="schedule"))
    post = db.session.scalar(select(Post))
    assert post.status == PostStatus.SCHEDULED


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.SCHEDULED])
def test_unpublish_makes_a_draft_again(author_client, make_post, status):
    when = {"published_at": utcnow() + timedelta(days=2)} if status == "scheduled" else {}
    post = make_post("Out", status=status, **when)
    response = author_client.post(
        f"/admin/posts/{post.id}/edit", data=form(title="Out", status=status, intent="unpublish")
    )
    assert response.status_code == 303
    assert stored(post).status == PostStatus.DRAFT
    text = page_text(author_client.get(response.headers["Location"]))
    if status == PostStatus.PUBLISHED:
        assert "Unpublished: the post is a draft again, and readers no longer see it." in text
    else:
        assert "Unscheduled: the post is a draft again." in text


def test_update_of_a_published_post_says_readers_see_it(author_client, make_post):
    post = make_post("Live", status=PostStatus.PUBLISHED)
    response = author_client.post(
        f"/admin/posts/{post.id}/edit", data=form(title="Live", status="published")
    )
    text = page_text(author_client.get(response.headers["Location"]))
    assert "Updated: readers see the new version." in text


def test_a_refused_script_save_answers_once_in_json(author_client):
    """The script shows the reason beside the buttons; it never sends the form again."""
    response = author_client.post("/admin/posts/new", data=form(title=""), headers=FETCH)
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"].startswith("The post was not saved: correct the fields")
    assert data["fields"] == {"title": {"label": "Title", "errors": ["Give the post a title."]}}


def test_a_refused_plain_save_shows_the_reason_beside_the_buttons(author_client):
    response = author_client.post("/admin/posts/new", data=form(title="", body="Kept words"))
    html = response.get_data(as_text=True)
    bar = html.split('id="editor-bar"')[1].split('class="editor-title')[0]
    assert 'role="alert"' in bar and "correct the fields marked below" in bar
    assert '<a href="#title">Title</a>: Give the post a title.' in bar
    assert 'role="status" aria-live="polite">Not saved</span>' in bar
    assert "Kept words" in html


def test_a_save_result_appears_beside_the_buttons(author_client):
    response = author_client.post("/admin/posts/new", data=form())
    html = author_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'aria-live="polite">Draft saved.</span>' in html
    assert 'class="flashes"' not in html  # not at the top of the page


def test_the_page_becomes_an_edit_page_after_the_first_autosave(author_client):
    data = author_client.post(
        "/admin/posts/autosave", data={"title": "Iron in pregnancy", "body": "Ferritin"}
    ).get_json()
    post = db.session.get(Post, data["post_id"])
    assert data["title"] == "Iron in pregnancy" and data["slug"] == "iron-in-pregnancy"
    assert data["view_url"] == "/post/iron-in-pregnancy"
    assert data["revisions_url"] == f"/admin/posts/{post.id}/revisions"
    assert data["edit_url"] == f"/admin/posts/{post.id}/edit"
    page = page_text(author_client.get(data["edit_url"]))
    assert "Iron in pregnancy" in page and "/post/iron-in-pregnancy" in page


def test_editor_times_are_written_one_way_in_the_sites_zone(author_client, make_post):
    settings = Settings.current()
    settings.timezone = "Europe/Paris"
    db.session.add(settings)
    db.session.commit()
    post = make_post("A post", status=PostStatus.PUBLISHED)
    author_client.post(
        "/admin/posts/autosave", data={"post_id": post.id, "title": "A post", "body": "Newer"}
    )
    page = page_text(author_client.get(f"/admin/posts/{post.id}/edit"))
    assert f"Last saved {format_datetime(stored(post).updated_at)}" in page
    assert format_datetime(stored(post).published_at) in page
    assert re.search(r"autosaved on \d{1,2} \w+ \d{4}, \d\d:\d\d CES?T", page)
    html = author_client.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    assert 'data-timezone="Europe/Paris"' in html
    names = re.search(r'data-zone-names="([^"]+)"', html).group(1)
    assert json.loads(html_module.unescape(names)) == {"60": "CET", "120": "CEST"}


def test_the_skip_link_goes_to_the_text(author_client):
    html = author_client.get("/admin/posts/new").get_data(as_text=True)
    links = re.findall(r'<a class="skip-link" href="([^"]+)">([^<]+)</a>', html)
    assert links == [("#main", "Skip to content"), ("#body", "Skip to the text")]
    assert 'id="body"' in html


def test_the_cover_picker_shows_thumbnails(author_client):
    media = upload(author_client, image_bytes((1200, 800)), alt="A cuff").get_json()
    html = author_client.get("/admin/posts/new").get_data(as_text=True)
    picker = html.split('id="cover-options"')[1].split("</fieldset>")[0]
    assert picker.count('type="radio" name="cover_media_id"') == 2
    assert f'value="{media["id"]}"' in picker
    assert re.search(
        r'<img class="cover-option__image" src="/media/[0-9a-f]{20}-480\.jpg" alt="A cuff"', picker
    )
    assert media["thumbnail"].endswith("-480.jpg")
    author_client.post("/admin/posts/new", data=form(cover_media_id=str(media["id"])))
    post = db.session.scalar(select(Post))
    assert post.cover_media_id == media["id"]
    html = author_client.get(f"/admin/posts/{post.id}/edit").get_data(as_text=True)
    assert f'value="{media["id"]}" checked>' in html


def test_preview_is_the_post_pages_body_with_responsive_images(author_client, client):
    media = upload(author_client, image_bytes((1600, 900)), alt="Cuff").get_json()
    body = f"Before.\n\n{media['markdown']}\n\nAfter."
    preview = author_client.post("/admin/preview", data={"body": body}).get_data(as_text=True)
    assert "<picture>" in preview and 'type="image/webp"' in preview
    assert "srcset=" in preview and "sizes=" in preview and 'width="1600"' in preview
    response = author_client.post("/admin/posts/new", data=form(body=body, intent="publish"))
    assert response.status_code == 303
    post = db.session.scalar(select(Post))
    page = client.get(f"/post/{post.slug}").get_data(as_text=True)
    assert preview in page  # byte for byte the body the post page shows


def test_a_scheduled_post_shows_its_date_once_in_the_bar(author_client, author):
    with time_machine.travel(datetime(2026, 5, 4, 9, 0), tick=False):
        sign_in(author_client, author)
        response = author_client.post(
            "/admin/posts/new", data=form(published_at="2026-05-09T07:00", intent="schedule")
        )
        page = author_client.get(response.headers["Location"]).get_data(as_text=True)
    state = page.split('class="editor-bar__state">')[1].split("</p>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", state).split())
    assert text == f"Scheduled {format_datetime(datetime(2026, 5, 9, 7))} Scheduled."
