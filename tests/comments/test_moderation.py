"""Moderation: the policy, the queue at /admin/comments, actions, replies, erasure, counts."""

import pytest
from sqlalchemy import select

from blog.comments.counts import refresh_comment_count
from blog.extensions import db
from blog.models import CommentStatus, Moderation, Post
from tests.comment_helpers import (
    BROWSER,
    FAST_FORMS,
    change_settings,
    comments,
    post_comment,
)
from tests.conftest import sign_in


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.fixture
def moderator(client, author):
    sign_in(client, author)
    return client


def count_of(post) -> int:
    db.session.expire_all()
    return db.session.get(Post, post.id).comment_count


# -- Policy ------------------------------------------------------------------------------


def approve_first_comment(client, post, **fields) -> None:
    """A reader's first comment, sent from ``client``'s browser, approved by the author."""
    post_comment(client, post, **fields)
    [first] = comments(body_md=fields["body"])
    first.status = CommentStatus.APPROVED
    db.session.commit()


def test_hold_first_publishes_a_known_name_and_email_from_the_same_browser(client, make_post):
    post = make_post("Sleep")
    approve_first_comment(client, post, name="Linda", email="linda@example.org", body="First")
    post_comment(client, post, name="linda", email="LINDA@example.org", body="Again")
    post_comment(client, post, name="Linda", email="other@example.org", body="New address")
    post_comment(client, post, name="Someone Else", email="linda@example.org", body="Other name")
    post_comment(client, post, name="Linda", body="No email")
    status = {c.body_md: c.status for c in comments()}
    assert status["Again"] == CommentStatus.APPROVED
    assert status["New address"] == CommentStatus.PENDING
    assert status["Other name"] == CommentStatus.PENDING
    assert status["No email"] == CommentStatus.PENDING
    assert count_of(post) == 2


def test_a_known_name_and_email_from_another_browser_waits(app, client, make_post):
    """Someone who knows a trusted commenter's public name and guesses the email cannot
    publish under that name without review."""
    post = make_post("Sleep")
    approve_first_comment(client, post, name="Linda", email="linda@example.org", body="First")
    stranger = app.test_client()
    post_comment(stranger, post, name="Linda", email="linda@example.org", body="Stop your pills")
    [impostor] = comments(body_md="Stop your pills")
    assert impostor.status == CommentStatus.PENDING


def test_a_known_commenters_link_waits(client, make_post):
    post = make_post("Sleep")
    approve_first_comment(client, post, name="Linda", email="linda@example.org", body="First")
    post_comment(
        client, post, name="Linda", email="linda@example.org", body="See https://cure.example"
    )
    [held] = comments(body_md="See https://cure.example")
    assert held.status == CommentStatus.PENDING
    assert "link" in held.hold_reason


def test_hold_first_ignores_pending_and_spam_history(client, make_post, make_comment):
    post = make_post("Sleep")
    make_comment(post, name="Linda", email="l@example.org", status=CommentStatus.PENDING)
    make_comment(post, name="Linda", email="l@example.org", status=CommentStatus.SPAM)
    post_comment(client, post, name="Linda", email="l@example.org", body="Third")
    assert comments(body_md="Third")[0].status == CommentStatus.PENDING


def test_hold_all_holds_even_known_commenters(client, make_post, make_comment):
    change_settings(moderation=Moderation.HOLD_ALL)
    post = make_post("Sleep")
    make_comment(post, name="Linda", email="l@example.org")
    post_comment(client, post, name="Linda", email="l@example.org", body="Held")
    assert comments(body_md="Held")[0].status == CommentStatus.PENDING


def test_open_publishes_everyone(client, make_post):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Sleep")
    post_comment(client, post, body="Published")
    assert comments()[0].status == CommentStatus.APPROVED
    assert count_of(post) == 1
    assert "1 comment" in client.get("/").get_data(as_text=True)


def test_form_explains_the_policy(client, make_post):
    make_post("Sleep")
    assert "A first comment appears once the author approves it" in client.get(
        "/post/sleep"
    ).get_data(as_text=True)
    change_settings(moderation=Moderation.OPEN)
    assert "Comments appear at once." in client.get("/post/sleep").get_data(as_text=True)


# -- The queue ---------------------------------------------------------------------------


def test_queue_requires_sign_in(client, make_post, make_comment):
    comment = make_comment(make_post("Sleep"), status=CommentStatus.PENDING)
    response = client.get("/admin/comments")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/admin/comments/{comment.id}/approve")
    assert response.status_code == 302
    assert comments()[0].status == CommentStatus.PENDING


def test_queue_tabs_show_comments_by_status(moderator, make_post, make_comment):
    post = make_post("Sleep")
    make_comment(post, body="waiting", status=CommentStatus.PENDING, email="w@example.org")
    make_comment(post, body="visible")
    make_comment(post, body="junk", status=CommentStatus.SPAM, hold_reason="Blocklist x")
    pending = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "waiting" in pending and "visible" not in pending and "junk" not in pending
    assert "w@example.org" in pending  # the author sees the address readers never do
    assert 'aria-current="page">Pending <span class="moderation-tabs__count">1</span>' in pending
    approved = moderator.get("/admin/comments?status=approved", headers=BROWSER)
    assert "visible" in approved.get_data(as_text=True)
    spam = moderator.get("/admin/comments?status=spam", headers=BROWSER).get_data(as_text=True)
    assert "junk" in spam and "Blocklist x" in spam
    assert moderator.get("/admin/comments?status=nope", headers=BROWSER).status_code == 404


def test_empty_queue_has_an_empty_state(moderator):
    page = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "Nothing waiting" in page


@pytest.mark.parametrize(
    ("action", "status", "count"),
    [("approve", CommentStatus.APPROVED, 2), ("spam", CommentStatus.SPAM, 1)],
)
def test_actions_change_status_and_count(moderator, make_post, make_comment, action, status, count):
    post = make_post("Sleep")
    make_comment(post)
    held = make_comment(post, status=CommentStatus.PENDING, hold_reason="First comment")
    response = moderator.post(
        f"/admin/comments/{held.id}/{action}", data={"tab": "pending"}, headers=BROWSER
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/comments?status=pending"
    assert comments(id=held.id)[0].status == status
    assert count_of(post) == count


def test_spam_on_an_approved_comment_lowers_the_count(moderator, make_post, make_comment):
    post = make_post("Sleep")
    shown = make_comment(post)
    moderator.post(f"/admin/comments/{shown.id}/spam", headers=BROWSER)
    assert count_of(post) == 0
    assert "Thank you!" not in moderator.get("/post/sleep", headers=BROWSER).get_data(True)


def test_delete_removes_the_comment_and_its_replies(moderator, make_post, make_comment):
    post = make_post("Sleep")
    parent = make_comment(post, body="parent")
    make_comment(post, body="reply", parent=parent)
    make_comment(post, body="other")
    response = moderator.post(f"/admin/comments/{parent.id}/delete", headers=BROWSER)
    assert response.status_code == 303
    assert [c.body_md for c in comments()] == ["other"]
    assert count_of(post) == 1


@pytest.mark.parametrize("url", ["/admin/comments/999/approve", "/admin/comments/1/bless"])
def test_unknown_comment_or_action_is_404(moderator, url):
    assert moderator.post(url, headers=BROWSER).status_code == 404


def test_bulk_actions(moderator, make_post, make_comment):
    post = make_post("Sleep")
    first = make_comment(post, status=CommentStatus.PENDING, body="a")
    second = make_comment(post, status=CommentStatus.PENDING, body="b")
    third = make_comment(post, status=CommentStatus.PENDING, body="c")
    response = moderator.post(
        "/admin/comments/bulk",
        data={"ids": [first.id, second.id], "action": "approve", "tab": "pending"},
        headers=BROWSER,
    )
    assert response.status_code == 303
    assert {c.body_md: c.status for c in comments()} == {
        "a": "approved",
        "b": "approved",
        "c": "pending",
    }
    assert count_of(post) == 2
    page = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "2 comments approved." in page
    moderator.post(
        "/admin/comments/bulk",
        data={"ids": [first.id, third.id], "action": "delete"},
        headers=BROWSER,
    )
    assert [c.body_md for c in comments()] == ["b"]
    assert count_of(post) == 1


def test_bulk_without_selection_says_so(moderator):
    moderator.post("/admin/comments/bulk", data={"action": "approve"}, headers=BROWSER)
    page = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "Select one or more comments first." in page


def test_inline_reply_is_published_under_the_comment_with_badge(
    moderator, make_post, make_comment, author
):
    post = make_post("Sleep", author=author)
    question = make_comment(post, name="Ann", body="Question?", status=CommentStatus.PENDING)
    response = moderator.post(
        f"/admin/comments/{question.id}/reply",
        data={"body": "Good *question*.", "tab": "pending"},
        headers=BROWSER,
    )
    assert response.status_code == 303
    question_row, reply = comments()
    assert question_row.status == CommentStatus.APPROVED  # answering publishes it
    assert reply.is_author and reply.parent_id == question.id
    assert reply.status == CommentStatus.APPROVED and reply.author_name == author.name
    assert count_of(post) == 2
    page = moderator.get("/post/sleep", headers=BROWSER).get_data(as_text=True)
    thread = page[page.index("Question?") :]
    assert thread.index('class="comment-replies"') < thread.index("<em>question</em>")
    assert '<span class="badge" title="The author of this blog">Author</span>' in thread


def test_reply_to_a_reply_attaches_to_its_parent(moderator, make_post, make_comment):
    post = make_post("Sleep")
    parent = make_comment(post, name="Ann")
    child = make_comment(post, name="Bob", parent=parent)
    moderator.post(f"/admin/comments/{child.id}/reply", data={"body": "Both"}, headers=BROWSER)
    assert comments(body_md="Both")[0].parent_id == parent.id


def test_empty_reply_is_400_and_keeps_the_queue(moderator, make_post, make_comment):
    comment = make_comment(make_post("Sleep"), status=CommentStatus.PENDING)
    response = moderator.post(
        f"/admin/comments/{comment.id}/reply", data={"body": "  "}, headers=BROWSER
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please write your reply." in page and '<details class="queue-item__reply" open>' in page
    assert len(comments()) == 1


def test_erase_every_comment_from_an_email(moderator, make_post, make_comment):
    first = make_post("Sleep")
    second = make_post("Walking")
    mine = make_comment(first, email="reader@example.org", body="one")
    make_comment(first, parent=mine, body="author answer", is_author=True)
    make_comment(second, email="reader@example.org", body="two", status=CommentStatus.PENDING)
    make_comment(second, email="else@example.org", body="kept")
    response = moderator.post(
        "/admin/comments/erase", data={"email": " Reader@Example.org "}, headers=BROWSER
    )
    assert response.status_code == 303
    assert [c.body_md for c in comments()] == ["kept"]
    assert count_of(first) == 0 and count_of(second) == 1
    page = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "Deleted 2 comments made with reader@example.org." in page


def test_erase_with_a_bad_address_is_400_with_message(moderator):
    response = moderator.post("/admin/comments/erase", data={"email": "nope"}, headers=BROWSER)
    assert response.status_code == 400
    assert "look like an email address" in response.get_data(as_text=True)


def test_erase_unknown_address_says_nothing_matched(moderator):
    moderator.post("/admin/comments/erase", data={"email": "x@example.org"}, headers=BROWSER)
    page = moderator.get("/admin/comments", headers=BROWSER).get_data(as_text=True)
    assert "No comments or subscription were made with x@example.org." in page


def test_refresh_comment_count_repairs_a_wrong_count(make_post, make_comment):
    post = make_post("Sleep")
    make_comment(post)
    make_comment(post, status=CommentStatus.PENDING)
    db.session.get(Post, post.id).comment_count = 42
    db.session.commit()
    refresh_comment_count(post.id)
    db.session.commit()
    assert count_of(post) == 1
    assert db.session.scalar(select(Post.comment_count)) == 1


def test_readers_and_the_dashboard_count_approved_comments_only(app, moderator, make_post):
    post = make_post("Sleep")
    reader = app.test_client()
    assert post_comment(reader, post, body="Held until approved").status_code == 303
    post_comment(reader, post, body="Buy pills", website="http://spam.example")
    stranger = app.test_client()

    def shown_counts() -> tuple[str, str, str]:
        home = stranger.get("/", headers=BROWSER).get_data(as_text=True)
        page = stranger.get("/post/sleep", headers=BROWSER).get_data(as_text=True)
        dashboard = moderator.get("/admin/", headers=BROWSER).get_data(as_text=True)
        card = home.partition('href="/post/sleep#comments">')[2].split("<")[0]
        if 'href="/post/sleep#comments">' not in home:
            card = "none shown"  # a zero counter is left out
        heading = page.split('id="comments-heading">')[1].split("<")[0]
        cell = dashboard.split('data-label="Comments">')[1].split("<")[0]
        return card, heading, cell

    assert len(comments(status=CommentStatus.SPAM)) == 1
    assert shown_counts() == ("none shown", "Comments", "0")
    [held] = comments(status=CommentStatus.PENDING)
    moderator.post(f"/admin/comments/{held.id}/approve", headers=BROWSER)
    assert shown_counts() == ("1 comment", "1 comment", "1")
