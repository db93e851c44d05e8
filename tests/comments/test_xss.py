"""Every public XSS payload, posted through the comment endpoint, approved, and the post
page's comments parsed with a real HTML parser.

Payloads travel four to a comment (as separate paragraphs, the first also as the name),
so the whole corpus is about 1,650 requests; tests/posts/test_sanitiser_corpus.py renders each
payload on its own through the same comment policy.
"""

import pytest
from sqlalchemy import select

from blog.extensions import db
from blog.models import Comment, CommentStatus, Moderation
from tests.comment_helpers import FAST_FORMS, change_settings, comments_section, form_data
from tests.conftest import CORPUS
from tests.html_checks import script_risks

pytestmark = pytest.mark.slow  # the whole public corpus: `make check` leaves it out

PAYLOADS = [
    line
    for line in (CORPUS / "xss-payloads.txt")
    .read_text(encoding="utf-8", errors="replace")
    .splitlines()
    if line.strip()
]
PER_COMMENT = 4
COMMENTS_PER_TEST = 100
CHUNK = PER_COMMENT * COMMENTS_PER_TEST
CHUNKS = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


def test_corpus_is_complete():
    assert len(PAYLOADS) > 6000
    assert sum(len(chunk) for chunk in CHUNKS) == len(PAYLOADS)


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
def test_payloads_posted_as_comments_render_without_script(client, make_post, chunk):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Target")
    payloads = CHUNKS[chunk]
    groups = [payloads[i : i + PER_COMMENT] for i in range(0, len(payloads), PER_COMMENT)]
    for group in groups:
        body = "\n\n".join(group)
        response = client.post(
            "/post/target/comments", data=form_data(post, name=group[0][:80], body=body)
        )
        assert response.status_code == 303, group
    # Some are held (more than two links); approve them all, as the author might.
    stored = db.session.scalars(select(Comment).where(Comment.post_id == post.id)).all()
    assert len(stored) == len(groups)
    for comment in stored:
        comment.status = CommentStatus.APPROVED
    db.session.commit()
    section = comments_section(client.get("/post/target").get_data(as_text=True))
    # The readers' part of the section: every comment, up to the site's own form.
    comments_html = section[: section.index("data-comment-form-home")]
    assert comments_html.count('<article class="comment') == len(groups)
    assert script_risks(comments_html) == []
