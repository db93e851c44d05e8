"""Replies can only join an approved thread of the same post."""

import pytest

from blog.models import CommentStatus
from tests.comment_helpers import FAST_FORMS, comments, post_comment
from tests.conftest import page_text


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


@pytest.mark.parametrize("where", ["other post", "spam"])
def test_a_reply_to_a_comment_elsewhere_or_in_spam_is_refused(
    client, make_post, make_comment, where
):
    post = make_post("Sleep")
    other = make_post("Diet")
    if where == "other post":
        parent = make_comment(other, name="Elsewhere")
    else:
        parent = make_comment(post, name="Spammer", status=CommentStatus.SPAM)
    response = post_comment(client, post, parent_id=str(parent.id), body="My reply text")
    assert response.status_code == 400
    assert "My reply text" in page_text(response)
    assert comments(body_md="My reply text") == []


def test_reply_to_param_never_shows_a_comment_of_another_post(client, make_post, make_comment):
    post = make_post("Sleep")
    hidden = make_comment(make_post("Diet"), name="Named Elsewhere", body="Private words")
    spam = make_comment(post, name="Spam Name", body="Spam words", status=CommentStatus.SPAM)
    for comment in (hidden, spam):
        page = page_text(client.get(f"/post/sleep?reply_to={comment.id}"))
        assert comment.author_name not in page
        assert f'value="{comment.id}"' not in page


@pytest.mark.parametrize(
    "body",
    [
        "- " * 2400 + "a",  # nesting deep enough for a RecursionError in Python-Markdown
        "[" * 5000,  # quadratic: seconds of CPU
        "> " * 2499 + "a",  # renders fast, but 2,499 nested quotes are 12,000 px wide
        "\n".join("  " * level + "- item" for level in range(40)),
        ">" * 4999 + "a",  # quotes need no space after ">"
        "\n".join("\t" * level + "- item" for level in range(40)),  # a tab indents a level
    ],
    ids=["nested-list", "brackets", "nested-quotes", "indented-list", "unspaced-quotes", "tabs"],
)
def test_a_pathological_comment_is_a_400_with_its_text_kept_never_a_500(client, make_post, body):
    post = make_post("Hello")
    response = post_comment(client, post, body=body)
    assert response.status_code == 400
    assert "too intricate" in page_text(response)
    assert body[:1000] in page_text(response)
    assert comments() == []
    assert client.get("/healthz").status_code == 200


def test_an_ordinary_comment_still_renders_through_the_bounded_renderer(client, make_post):
    post = make_post("Hello")
    assert post_comment(client, post, body="Thanks, **very** clear.").status_code == 303
    assert "<strong>very</strong>" in comments()[0].body_html


@pytest.mark.parametrize(
    "text, depth",
    [
        ("Plain text.", 0),
        ("> A quote\n> > and a reply to it", 2),
        ("- one\n  - two\n    - three", 3),
        ("1. first\n2) second", 1),
        ("> " * 20 + "deep", 20),
        ("-not a list", 0),
    ],
)
def test_nesting_depth(text, depth):
    from blog.comments.moderation import nesting_depth

    assert nesting_depth(text) == depth
