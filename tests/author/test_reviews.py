"""The medical reviewer and review dates as data: chosen or added in the editor, shown on
the page and in the structured data from the same row, and reminders to review again."""

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Post, PostStatus, Reviewer, Revision, Settings
from blog.posts.reviews import local_today, months_before
from tests.conftest import page_text
from tests.html_checks import json_ld

ROOT = "http://localhost"


def editor_form(**fields) -> dict:
    data = {
        "title": "Salt and blood pressure",
        "body": "Less salt, lower pressure.",
        "status": "published",
        "medical": "y",
        "last_reviewed": "2026-02-01",
    }
    data.update(fields)
    return data


def structured(text: str) -> dict:
    (data,) = json_ld(text)
    return data


def review_line(text: str) -> str:
    match = re.search(r'<p class="review-note">(.*?)</p>', text, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)) if match else ""


def saved_post() -> Post:
    db.session.expire_all()
    return db.session.scalar(select(Post))


def test_the_author_as_reviewer_is_named_as_her_profile_reads(author_client, author, client):
    author_client.post("/admin/posts/new", data=editor_form(reviewer="self"))
    post = saved_post()
    assert post.reviewer.author_id == author.id
    page = page_text(client.get("/post/salt-and-blood-pressure"))
    assert review_line(page) == (
        "Medically reviewed by Dr. Ada Lovelace, MD, Cardiology, on 1 February 2026."
    )
    data = structured(page)
    assert data["reviewedBy"] == data["author"]
    assert data["reviewedBy"]["honorificSuffix"] == "MD"
    assert data["reviewedBy"]["jobTitle"] == "Cardiology"
    assert data["reviewedBy"]["url"] == f"{ROOT}/about"
    # Her new credentials show at once, in both places.
    author.credentials = "MD, FRCP"
    db.session.commit()
    page = page_text(client.get("/post/salt-and-blood-pressure"))
    assert "Dr. Ada Lovelace, MD, FRCP, on" in review_line(page)
    assert structured(page)["reviewedBy"]["jobTitle"] == "FRCP"


def test_a_colleague_added_inline_is_saved_and_offered_next_time(author_client, client):
    response = author_client.post(
        "/admin/posts/new",
        data=editor_form(
            reviewer_name="  Dr. Sam Lee ",
            reviewer_credentials="MD, Cardiology",
            reviewer_url="https://hospital.example/sam-lee",
        ),
    )
    assert response.status_code == 303
    reviewer = saved_post().reviewer
    assert (reviewer.name, reviewer.credentials) == ("Dr. Sam Lee", "MD, Cardiology")
    page = page_text(client.get("/post/salt-and-blood-pressure"))
    assert review_line(page) == (
        "Medically reviewed by Dr. Sam Lee, MD, Cardiology, on 1 February 2026."
    )
    assert '<a href="https://hospital.example/sam-lee" rel="noopener">Dr. Sam Lee</a>' in page
    assert structured(page)["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr. Sam Lee",
        "honorificSuffix": "MD",
        "jobTitle": "Cardiology",
        "url": "https://hospital.example/sam-lee",
    }
    editor = page_text(author_client.get("/admin/posts/new"))
    assert f'<option value="{reviewer.id}">Dr. Sam Lee, MD, Cardiology</option>' in editor
    # Naming the same person again reuses the row.
    author_client.post(
        "/admin/posts/new",
        data=editor_form(
            title="Potassium",
            reviewer_name="Dr. Sam Lee",
            reviewer_credentials="MD, Cardiology",
            reviewer_url="https://hospital.example/sam-lee",
        ),
    )
    assert db.session.scalar(select(func.count(Reviewer.id))) == 1


def test_a_colleague_typed_with_line_breaks_is_one_line_and_the_same_row(author_client, client):
    author_client.post(
        "/admin/posts/new", data=editor_form(reviewer_name="Dr. Sam Lee", reviewer_credentials="MD")
    )
    pasted = {"reviewer_name": "Dr.\r\nSam\x07 Lee", "reviewer_credentials": "\tMD\n"}
    response = author_client.post("/admin/posts/new", data=editor_form(title="Potassium", **pasted))
    assert response.status_code == 303
    assert db.session.scalar(select(func.count(Reviewer.id))) == 1
    page = page_text(client.get("/post/potassium"))
    assert review_line(page) == "Medically reviewed by Dr. Sam Lee, MD, on 1 February 2026."
    assert structured(page)["reviewedBy"]["name"] == "Dr. Sam Lee"


def test_choosing_a_colleague_and_then_no_one(author_client, client, make_post):
    colleague = Reviewer(name="Dr. Kim", credentials="DO")
    db.session.add(colleague)
    db.session.commit()
    author_client.post("/admin/posts/new", data=editor_form(reviewer=str(colleague.id)))
    post = saved_post()
    assert post.reviewer_id == colleague.id
    editor = page_text(author_client.get(f"/admin/posts/{post.id}/edit"))
    assert f'<option selected value="{colleague.id}">' in editor
    author_client.post(f"/admin/posts/{post.id}/edit", data=editor_form(reviewer=""))
    assert saved_post().reviewer is None
    page = page_text(client.get(f"/post/{post.slug}"))
    assert "Medically reviewed by" not in page and "Last reviewed" in page
    assert "reviewedBy" not in json.dumps(structured(page))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reviewer_url": "javascript:alert(1)", "reviewer_name": "X"}, "is not a web address"),
        ({"reviewer_credentials": "MD"}, "Give the new reviewer's name too"),
        ({"reviewer_url": "https://x.example/"}, "Give the new reviewer's name too"),
        ({"reviewer": "999"}, "Not a valid choice"),
        ({"reviewer_name": "x" * 121}, "longer than 120"),
        ({"reviewer_name": "X", "reviewer_url": "https://x.example/\u202egnp"}, "without spaces"),
    ],
)
def test_bad_reviewer_input_is_refused_with_the_text_kept(author_client, fields, message):
    response = author_client.post(
        "/admin/posts/new", data=editor_form(body="My careful text.", **fields)
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert "My careful text." in page_text(response)
    assert db.session.scalar(select(func.count(Post.id))) == 0
    assert db.session.scalar(select(func.count(Reviewer.id))) == 0


# -- Reminders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 12, date(2025, 1, 15)),
        (date(2026, 1, 15), 13, date(2024, 12, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_the_dashboard_lists_posts_due_for_review(author_client, make_post):
    today = local_today()
    make_post("Old review", medical=True, last_reviewed=today - timedelta(days=400))
    make_post("Recent review", medical=True, last_reviewed=today - timedelta(days=30))
    make_post("Never reviewed", medical=True, published_at=utcnow() - timedelta(days=500))
    make_post("New and unreviewed", medical=True)
    make_post("Not medical", medical=False, last_reviewed=today - timedelta(days=900))
    make_post("Old draft", status=PostStatus.DRAFT, medical=True, last_reviewed=date(2020, 1, 1))
    page = page_text(author_client.get("/admin/"))
    due = page[page.index("Due for review") : page.index("Views per day")]
    assert "2 published posts not reviewed in the last 12 months" in due
    assert due.index("Never reviewed") < due.index("Old review")  # longest without first
    for absent in ("Recent review", "New and unreviewed", "Not medical", "Old draft"):
        assert absent not in due


def test_the_reminder_age_is_a_setting(author_client, make_post):
    make_post("Reviewed in spring", medical=True, last_reviewed=local_today() - timedelta(days=100))
    assert "Due for review" not in page_text(author_client.get("/admin/"))
    settings = Settings.current()
    settings.review_after_months = 3
    db.session.add(settings)
    db.session.commit()
    assert "Reviewed in spring" in page_text(author_client.get("/admin/"))


def test_reviewed_today_records_the_date_and_a_revision(author_client, make_post, client):
    post = make_post("Old review", medical=True, last_reviewed=date(2024, 1, 1))
    updated = post.updated_at
    response = author_client.post(f"/admin/posts/{post.id}/reviewed", follow_redirects=True)
    assert f"is marked as reviewed on {local_today().day}" in page_text(response)
    assert "Due for review" not in page_text(response)
    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.last_reviewed == local_today()
    assert post.updated_at == updated  # the text didn't change
    (revision,) = db.session.scalars(select(Revision)).all()
    assert (revision.kind, revision.body_md) == ("review", post.body_md)
    assert "Reviewed" in page_text(author_client.get(f"/admin/posts/{post.id}/revisions"))
    assert f'datetime="{local_today().isoformat()}"' in page_text(client.get(f"/post/{post.slug}"))


def test_the_settings_page_saves_the_reminder_age(author_client):
    page = page_text(author_client.get("/admin/settings"))
    assert 'id="review_after_months"' in page and 'value="12"' in page
    response = author_client.post(
        "/admin/settings",
        data={"site_title": "S", "timezone": "UTC", "name": "N", "review_after_months": "0"},
    )
    assert response.status_code == 400 and "from 1 to 120" in page_text(response)
