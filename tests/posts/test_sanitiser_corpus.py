"""Every public XSS payload, through both policies, plain and inside Markdown syntax."""

import pytest

from blog.content import render_comment, render_post
from tests.conftest import CORPUS
from tests.html_checks import script_risks

pytestmark = pytest.mark.slow  # the whole public corpus: `make check` leaves it out

PAYLOADS = (CORPUS / "xss-payloads.txt").read_text(encoding="utf-8", errors="replace").splitlines()
CHUNK = 400
CHUNKS = [PAYLOADS[i : i + CHUNK] for i in range(0, len(PAYLOADS), CHUNK)]

WRAPPERS = {
    "plain": "{}",
    "link": "[click]({})",
    "image": "![alt]({})",
    "link-text": "[{}](https://example.org)",
    "reference": "[x][r]\n\n[r]: {}",
}


def test_corpus_is_complete():
    assert len(PAYLOADS) > 6000


@pytest.mark.parametrize("chunk", range(len(CHUNKS)))
@pytest.mark.parametrize("wrapper", WRAPPERS)
def test_no_payload_survives_either_policy(chunk, wrapper):
    failures = []
    for payload in CHUNKS[chunk]:
        source = WRAPPERS[wrapper].format(payload)
        for policy, render in (
            ("author", lambda s: render_post(s).html),
            ("comment", render_comment),
        ):
            risks = script_risks(render(source))
            if risks:
                failures.append((policy, payload, risks))
    assert failures == []
