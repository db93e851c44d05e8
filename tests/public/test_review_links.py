"""Review links: a draft shown to a reviewing colleague who doesn't sign in, as it will
publish, kept out of search engines and caches, until the link expires or is revoked."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus, PostView, ReviewLink
from tests.conftest import page_text

BROWSER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


def create_link(author_client, post, label="Dr. Sam Lee") -> str:
    """Make a link from the editor's panel; its path, as the page shows it once."""
    response = author_client.post(f"/admin/posts/{post.id}/review-links", data={"label": label})
    assert response.status_code == 200
    match = re.search(r'value="https?://[^/"]+(/review/[^"]+)"', response.get_data(as_text=True))
    return match.group(1)


@pytest.fixture
def draft(make_post, author):
    return make_post(
        "Statins after seventy",
        body="## Who benefits\n\nThe evidence is *mixed*.",
        status=PostStatus.DRAFT,
        author=author,
    )


def test_a_review_link_shows_the_draft_to_someone_signed_out(app, author_client, draft):
    path = create_link(author_client, draft)
    token = path.removeprefix("/review/")
    assert len(token) >= 43  # 32 random bytes
    stored = db.session.scalar(select(ReviewLink))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    reader = app.test_client()
    assert reader.get(f"/post/{draft.slug}").status_code == 404  # still a draft to readers
    response = reader.get(path, headers=BROWSER)
    assert response.status_code == 200
    text = page_text(response)
    assert "Draft for review." in text and "Statins after seventy" in text
    assert "<em>mixed</em>" in text and 'rel="author">Dr. Ada Lovelace</a>' in text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in text
    assert "Only you can see" not in text
    # No comments, likes, sharing, counters or admin links.
    for absent in ('id="comments"', "comment-form", "/like", "Share this post", "0 views"):
        assert absent not in text, absent
    assert "/admin" not in text
    db.session.expire_all()
    assert draft.view_count == 0
    assert db.session.scalar(select(func.count()).select_from(PostView)) == 0


@pytest.mark.parametrize("status", [PostStatus.SCHEDULED, PostStatus.PUBLISHED])
def test_a_link_also_opens_a_scheduled_or_published_post(app, author_client, make_post, status):
    when = utcnow() + timedelta(days=2) if status == PostStatus.SCHEDULED else None
    post = make_post("Later", status=status, **({"published_at": when} if when else {}))
    path = create_link(author_client, post)
    response = app.test_client().get(path, headers=BROWSER)
    assert response.status_code == 200 and "Draft for review." in page_text(response)
    assert "data-view-beacon" not in page_text(response)  # a review is never a view
    assert db.session.get(type(post), post.id).view_count == 0


def test_a_revoked_link_stops_working_with_a_clear_page(app, author_client, draft):
    path = create_link(author_client, draft)
    link = db.session.scalar(select(ReviewLink))
    editor = page_text(author_client.get(f"/admin/posts/{draft.id}/edit"))
    assert "Dr. Sam Lee" in editor and f"/admin/review-links/{link.id}/revoke" in editor
    response = author_client.post(
        f"/admin/review-links/{link.id}/revoke", data={"next": f"/admin/posts/{draft.id}/edit"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/posts/{draft.id}/edit"
    gone = app.test_client().get(path)
    assert gone.status_code == 410
    assert "This review link was revoked" in page_text(gone)
    assert gone.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Statins" not in page_text(gone)
    assert f"/admin/review-links/{link.id}/revoke" not in page_text(
        author_client.get(f"/admin/posts/{draft.id}/edit")
    )


def test_an_expired_link_says_so(app, author_client, draft):
    path = create_link(author_client, draft)
    link = db.session.scalar(select(ReviewLink))
    assert timedelta(days=6, hours=23) < link.expires_at - link.created_at <= timedelta(days=7)
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 410 and "This review link has expired" in page_text(response)


@pytest.mark.parametrize("config_overrides", [{"REVIEW_LINK_DAYS": 2}])
def test_links_last_as_long_as_the_setting_says(author_client, draft):
    create_link(author_client, draft)
    link = db.session.scalar(select(ReviewLink))
    assert link.expires_at - link.created_at == timedelta(days=2)


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 500, "%00"])
def test_an_unknown_link_is_404(client, token):
    response = client.get(f"/review/{token}")
    assert response.status_code == 404
    assert "This review link doesn't exist" in page_text(response) or token == "%00"


def test_a_link_to_a_post_in_the_trash_is_gone(app, author_client, draft):
    path = create_link(author_client, draft)
    author_client.post(f"/admin/posts/{draft.id}/delete")
    response = app.test_client().get(path)
    assert response.status_code == 410 and "Statins" not in page_text(response)


def test_the_dashboard_lists_working_links_with_expiry_and_revoke(author_client, draft):
    create_link(author_client, draft, label="Dr. Sam Lee")
    create_link(author_client, draft, label="Nurse Kim")
    first, second = db.session.scalars(select(ReviewLink).order_by(ReviewLink.id)).all()
    second.revoked_at = utcnow()
    db.session.commit()
    page = page_text(author_client.get("/admin/"))
    assert "Review links" in page and "Dr. Sam Lee" in page and "Nurse Kim" not in page
    assert f"/admin/review-links/{first.id}/revoke" in page
    response = author_client.post(
        f"/admin/review-links/{first.id}/revoke", data={"next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/admin/"  # only local paths
    assert "Review links" not in page_text(author_client.get("/admin/"))


def test_the_created_page_shows_the_link_once(author_client, draft):
    response = author_client.post(f"/admin/posts/{draft.id}/review-links", data={"label": ""})
    text = page_text(response)
    assert "Shown only now" in text and "/review/" in text
    assert "/review/" not in page_text(author_client.get(f"/admin/posts/{draft.id}/edit"))


def test_old_links_are_purged(runner, author_client, draft):
    create_link(author_client, draft)
    create_link(author_client, draft)
    old, recent = db.session.scalars(select(ReviewLink).order_by(ReviewLink.id)).all()
    old.expires_at = utcnow() - timedelta(days=31)
    recent.revoked_at = utcnow() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "Removed 1 review links" in result.output
    assert db.session.scalars(select(ReviewLink.id)).all() == [recent.id]
