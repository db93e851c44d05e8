"""The dashboard: posts table (sort, filter), pending comments, views chart."""

import re
from datetime import date, timedelta

import pytest

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import CommentStatus, PostStatus, PostView
from blog.posts.stats import views_chart, views_per_day
from tests.conftest import page_text


@pytest.fixture
def posts(make_post):
    return [
        make_post("Apples", view_count=5, comment_count=1),
        make_post("Bananas", view_count=50, comment_count=0),
        make_post("Cherries", status=PostStatus.DRAFT),
        make_post("Dates", status=PostStatus.SCHEDULED, published_at=utcnow() + timedelta(days=2)),
    ]


def order(text: str, titles) -> list[str]:
    return sorted(titles, key=text.index)


def test_sorting_by_each_column(author_client, posts):
    titles = [post.title for post in posts]
    text = page_text(author_client.get("/admin/?sort=title&order=asc"))
    assert order(text, titles) == ["Apples", "Bananas", "Cherries", "Dates"]
    text = page_text(author_client.get("/admin/?sort=title&order=desc"))
    assert order(text, titles) == ["Dates", "Cherries", "Bananas", "Apples"]
    text = page_text(author_client.get("/admin/?sort=views&order=desc"))
    assert order(text, titles)[:2] == ["Bananas", "Apples"]
    for column in ("status", "published", "comments", "updated"):
        assert author_client.get(f"/admin/?sort={column}&order=asc").status_code == 200


@pytest.mark.parametrize(
    "query", ["sort=nope", "order=sideways", "status=deleted", "sort=title;drop", "sort=&order="]
)
def test_bad_sort_and_filter_values_fall_back(author_client, posts, query):
    response = author_client.get(f"/admin/?{query}")
    assert response.status_code == 200
    assert "Apples" in page_text(response)


def test_filter_by_status(author_client, posts):
    def shown(status):
        text = page_text(author_client.get(f"/admin/?status={status}"))
        return [post.title for post in posts if post.title in text]

    assert shown("draft") == ["Cherries"]
    assert shown("published") == ["Apples", "Bananas"]
    assert shown("scheduled") == ["Dates"]
    assert shown("all") == ["Apples", "Bananas", "Cherries", "Dates"]


def test_counts_and_pending_comments(author_client, posts, make_comment):
    make_comment(posts[0], status=CommentStatus.PENDING)
    make_comment(posts[0], status=CommentStatus.PENDING)
    make_comment(posts[1], status=CommentStatus.SPAM)
    html = author_client.get("/admin/").get_data(as_text=True)
    assert '<a class="stat-card__link" href="/admin/comments">' in html
    assert "2</span>" in html and "comments waiting for approval" in html


def test_views_chart_is_accessible_svg(author_client, posts):
    today = utcnow().date()
    db.session.add(PostView(post_id=posts[0].id, day=today, count=7))
    db.session.add(PostView(post_id=posts[1].id, day=today, count=3))
    db.session.add(PostView(post_id=posts[1].id, day=today - timedelta(days=40), count=99))
    db.session.commit()
    html = author_client.get("/admin/").get_data(as_text=True)
    assert 'role="img"' in html and '<title id="chart-title">' in html and "<desc" in html
    assert "10 views in 30 days" in html
    assert 'class="chart__bar"' in html
    assert "style=" not in html
    assert '<div class="visually-hidden">\n    <table>' in html


def test_views_per_day_fills_missing_days(app, make_post):
    post = make_post("Counted")
    day = date(2026, 5, 31)
    db.session.add(PostView(post_id=post.id, day=day - timedelta(days=3), count=4))
    db.session.commit()
    series = views_per_day(day, days=5)
    assert series == [(day - timedelta(days=n), 4 if n == 3 else 0) for n in range(4, -1, -1)]
    chart = views_chart(day)
    assert len(chart.bars) == 30 and chart.peak == 4 and chart.total == 4


def test_empty_dashboard_invites_a_first_post(author_client):
    text = page_text(author_client.get("/admin/"))
    assert "No posts yet" in text and "Write your first post" in text
    assert "Delete the sample posts" not in text


def edited(html: str) -> list[str]:
    return re.findall(r'/edit">(Note \d\d)<', html)


def test_posts_table_pages_fifty_at_a_time_keeping_sort_and_filter(author_client, make_post):
    for number in range(55):
        make_post(f"Note {number:02d}", status=PostStatus.DRAFT)
    make_post("Published one")
    first = author_client.get("/admin/?sort=title&order=asc&status=draft").text
    assert edited(first) == [f"Note {n:02d}" for n in range(50)]
    assert "Page 1 of 2" in first and "Published one" not in first
    assert 'href="/admin/?page=2&amp;sort=title&amp;order=asc&amp;status=draft"' in first
    second = author_client.get("/admin/?sort=title&order=asc&status=draft&page=2").text
    assert edited(second) == [f"Note {n:02d}" for n in range(50, 55)]
    assert 'href="/admin/?page=1&amp;sort=title&amp;order=asc&amp;status=draft"' in second
    assert author_client.get("/admin/?status=draft&page=3").status_code == 404
