"""Safe on the open internet: any text a reader or the author sends, up to its size cap,
is shown safely, within its render budget, or refused with a 400 that keeps the text;
never a 500, never HTML that can run script, never quotes or lists nested past the limit.

The pathological families of bench/hostile.py go through the real endpoints at their
caps: comments through the comment form, posts through the editor's save and preview.
Property tests draw text from Markdown's and HTML's metacharacters, letters and public XSS
payloads, and render it through the same bounded path. (Text over a cap, and bodies over
the request limits, are refused before rendering: tests/core/test_bad_input.py.)
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bench.hostile import COMMENT_CAP, FAMILIES, POST_CAP, hostile, ordinary, sample_comments
from blog.comments.moderation import MAX_NESTING, render_body
from blog.content import block_depth, render_comment, render_post
from blog.core.bounded import TooComplex
from blog.extensions import db
from blog.models import CommentStatus, Moderation, Post
from blog.posts.writing import render_text
from tests.comment_helpers import (
    FAST_FORMS,
    change_settings,
    comments,
    comments_section,
    post_comment,
)
from tests.conftest import CORPUS, page_text
from tests.html_checks import script_risks

SCRIPT = {"X-Requested-With": "fetch"}
POST_SECONDS = 0.5  # a post's budget here, so the table runs in seconds, not minutes


@pytest.fixture
def config_overrides():
    return {**FAST_FORMS, "POST_RENDER_SECONDS": POST_SECONDS}  # comments: the real budget


def assert_safe(html: str) -> None:
    assert script_risks(html) == []


# -- The families, at their caps, through the real endpoints ------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_a_hostile_comment_at_the_cap_is_shown_safely_or_refused(client, make_post, family):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Hello")
    body = hostile(family, COMMENT_CAP).strip()
    response = post_comment(client, post, body=body)
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert "too intricate" in page_text(response)
        assert body[:1000] in page_text(response)
        assert comments() == []
        return
    [comment] = comments()
    assert_safe(comment.body_html)
    assert block_depth(comment.body_html) <= MAX_NESTING
    page = client.get(f"/post/{post.slug}")
    assert page.status_code == 200
    if comment.status == CommentStatus.APPROVED:  # more than two links waits for approval
        assert comment.body_html in comments_section(page.text)


def test_ordinary_writing_at_the_comment_cap_is_published(client, make_post):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Hello")
    body = ordinary(sample_comments(), COMMENT_CAP)
    assert post_comment(client, post, body=body).status_code == 303
    assert comments()[0].body_md == body


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_a_hostile_post_at_the_cap_is_saved_safely_or_refused(author_client, family):
    body = hostile(family, POST_CAP)
    data = {"title": family, "body": body, "status": "published"}
    response = author_client.post("/admin/posts/new", data=data)
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert "too intricate to render in time" in page_text(response)
        assert body[:3000] in page_text(response)
        assert db.session.scalars(select(Post)).all() == []
    else:
        post = db.session.scalars(select(Post)).one()
        assert_safe(post.body_html)
        page = author_client.get(f"/post/{post.slug}")
        assert page.status_code == 200

    preview = author_client.post("/admin/preview", data={"body": body}, headers=SCRIPT)
    assert preview.status_code in (200, 400)
    if preview.status_code == 400:
        assert "too intricate" in preview.get_json()["error"]
    else:
        assert_safe(preview.text)


def test_a_signed_out_editor_post_is_read_only_up_to_a_reader_forms_size(client):
    """Reading 900 kB of form text for the page that gives it back cost 130 ms of CPU (and
    3.7 MB of encoded emoji 530 ms), for anyone; the editor's script keeps the text in the
    browser, to restore once signed in."""
    body = hostile("brackets", POST_CAP)
    save = client.post("/admin/posts/new", data={"title": "Pasted", "body": body})
    assert save.status_code == 302 and save.headers["Location"].startswith("/login")
    preview = client.post("/admin/preview", data={"body": body}, headers=SCRIPT)
    assert preview.status_code == 401 and preview.get_json()["signed_out"]
    short = client.post("/admin/posts/new", data={"title": "Pasted", "body": "[" * 10_000})
    assert short.status_code == 401 and "[" * 10_000 in short.text


# -- Any text, through the bounded path ------------------------------------------------

PAYLOADS = (CORPUS / "xss-payloads.txt").read_text(encoding="utf-8", errors="replace").split("\n")
METACHARACTERS = [*"[]()!*_`<>#|-:^&;\"'\n =~\\/", "\t", "    ", "\n\n", "[^1]", "]: ", "```"]
PIECES = st.one_of(
    st.sampled_from(METACHARACTERS),  # drawn half of the time
    st.sampled_from(METACHARACTERS),
    st.sampled_from(["http://", "javascript:", "&#x6a;", "<a ", "<script>", "\u00a0", "é"]),
    st.text(alphabet="abcxyz", min_size=1, max_size=6),
    st.sampled_from(PAYLOADS),
)


def texts(cap: int) -> st.SearchStrategy[str]:
    """Runs of a few pieces, each run repeated up to ``cap``, so a few draws reach it."""

    def repeated(chunk: str, times: int) -> str:
        return chunk * min(times, cap // len(chunk) + 1)

    run = st.builds(
        repeated, st.lists(PIECES, min_size=1, max_size=8).map("".join), st.integers(1, cap)
    )
    return st.lists(run, min_size=1, max_size=6).map(lambda runs: "".join(runs)[:cap])


def render_comment_bounded(text: str) -> str:
    html = render_body(text)
    assert block_depth(html) <= MAX_NESTING
    return html


RENDER = {"comment": render_comment_bounded, "post": lambda text: render_text(text, {}).html}
CAP = {"comment": COMMENT_CAP, "post": POST_CAP}


@pytest.mark.parametrize(
    "kind, examples",
    [
        ("comment", 15),
        ("post", 6),
        pytest.param("comment", 100, marks=pytest.mark.slow),
        pytest.param("post", 30, marks=pytest.mark.slow),
    ],
)
def test_any_text_up_to_the_cap_renders_safely_or_is_too_complex(app, kind, examples):
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(text=texts(CAP[kind]))
    def renders_safely_or_is_refused(text):
        try:
            html = RENDER[kind](text)
        except TooComplex:
            return
        assert_safe(html)

    renders_safely_or_is_refused()


@settings(max_examples=100, deadline=None, database=None)
@given(text=st.lists(PIECES, max_size=60).map("".join))
def test_the_pipeline_itself_raises_nothing(text):
    """In a child process any exception becomes "too complex"; here it would show."""
    for render in (render_comment, lambda source: render_post(source).html):
        try:
            html = render(text)
        except RecursionError:  # deep nesting: the bounded path refuses it
            continue
        assert_safe(html)
