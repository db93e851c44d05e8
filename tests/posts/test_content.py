"""The content pipeline: what Markdown becomes for readers."""

import pytest

from blog.content import (
    block_depth,
    clean_author_html,
    clean_comment_html,
    make_excerpt,
    reading_minutes,
    render_comment,
    render_post,
    truncate,
)
from tests.html_checks import script_risks

POST = """Intro with "quotes" -- and a claim.[^1]

## Blood pressure

| Category | Systolic |
|:---------|---------:|
| Normal   | < 120    |

### Home readings

```python
print("hi")
```

> Measure twice.

![Cuff on an arm](/media/cuff.png "A validated upper-arm cuff")

[Guideline](https://example.org/guideline) and [local](/about).

[^1]: Whelton PK, et al. *Hypertension*. 2018;71:e13-e115.
"""


@pytest.fixture(scope="module")
def rendered():
    return render_post(POST)


def test_tables_keep_alignment_as_classes_without_align_or_style(rendered):
    assert '<th class="align-left">Category</th>' in rendered.html
    assert '<th class="align-right">Systolic</th>' in rendered.html
    assert "style=" not in rendered.html and "align=" not in rendered.html
    assert '<div class="table-wrap"><table>' in rendered.html


@pytest.mark.parametrize(
    "dirty",
    ['<td align="right">x</td>', '<td class="align-middle">x</td>', '<td style="color:red">x</td>'],
)
def test_the_author_policy_drops_alignment_it_does_not_know(dirty):
    assert "<td>x</td>" in clean_author_html(f"<table><tr>{dirty}</tr></table>")


def test_headings_get_ids_and_a_table_of_contents(rendered):
    assert '<h2 id="blood-pressure">Blood pressure<a ' in rendered.html
    assert rendered.toc == [
        (2, "blood-pressure", "Blood pressure"),
        (3, "home-readings", "Home readings"),
    ]


def test_footnotes_link_both_ways(rendered):
    assert 'href="#fn:1"' in rendered.html
    assert '<li id="fn:1">' in rendered.html
    assert 'class="footnote-backref"' in rendered.html


def test_smart_punctuation_and_fenced_code(rendered):
    assert "&ldquo;quotes&rdquo;" in rendered.html
    assert "&ndash;" in rendered.html
    assert '<pre><code class="language-python">' in rendered.html


def test_lone_image_becomes_a_lazy_figure_with_caption(rendered):
    assert "<figure><img" in rendered.html
    assert 'loading="lazy"' in rendered.html and 'decoding="async"' in rendered.html
    assert "<figcaption>A validated upper-arm cuff</figcaption>" in rendered.html


def test_external_links_get_noopener_and_local_ones_do_not(rendered):
    assert '<a href="https://example.org/guideline" rel="noopener">' in rendered.html
    assert '<a href="/about">local</a>' in rendered.html


def test_reading_time_and_word_count(rendered):
    assert rendered.word_count > 20
    assert rendered.reading_minutes == 1
    assert reading_minutes(231) == 2
    assert reading_minutes(0) == 1


def test_excerpt_is_the_first_paragraph(rendered):
    assert rendered.excerpt.startswith("Intro with “quotes”")
    assert make_excerpt("<p>" + "word " * 200 + "</p>", 50).endswith("…")
    assert len(make_excerpt("<p>" + "word " * 200 + "</p>", 50)) <= 50


def test_truncate_cuts_at_a_word():
    assert truncate("one two three", 9) == "one two…"
    assert truncate("short", 10) == "short"


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt&colon;alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<iframe src=//evil.example></iframe>",
        "<svg><script>alert(1)</script></svg>",
        "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<form action=//evil><input></form>",
        "<base href=//evil.example/>",
        "<object data=javascript:alert(1)>",
        '<div onmouseover="alert(1)">x',
        "<<script>script>alert(1)<</script>/script>",
        '<img srcset="javascript:alert(1) 1x">',
        '<a href="vbscript:msgbox(1)">x</a>',
    ],
)
def test_hostile_html_is_neutralised_by_both_policies(dirty):
    assert script_risks(render_post(dirty).html) == []
    assert script_risks(clean_author_html(dirty)) == []
    assert script_risks(render_comment(dirty)) == []
    assert script_risks(clean_comment_html(dirty)) == []


def test_comment_policy_shows_raw_html_as_text():
    html = render_comment("I <b>love</b> <script>x</script> this")
    assert "&lt;b&gt;love&lt;/b&gt;" in html
    assert "<b>" not in html


def test_comment_policy_links_bare_urls_as_nofollow_ugc():
    html = render_comment("See https://example.org/study for details")
    assert '<a href="https://example.org/study" rel="nofollow ugc noopener">' in html


def test_comment_policy_drops_images_headings_and_markdown_links():
    html = render_comment(
        "# Big\n\n![x](https://example.org/a.png)\n\n[hidden](https://spam.example)"
    )
    assert "<h1" not in html and "<img" not in html
    assert "spam.example" not in html


def test_comment_policy_keeps_emphasis_lists_quotes_and_code():
    html = render_comment("*a* **b**\n\n- one\n- two\n\n> quoted\n\n`code`")
    for fragment in (
        "<em>a</em>",
        "<strong>b</strong>",
        "<li>one</li>",
        "<blockquote>",
        "<code>code</code>",
    ):
        assert fragment in html


@pytest.mark.parametrize(
    "fragment, depth",
    [
        ("<p>Plain</p>", 0),
        ("<blockquote><p>a</p></blockquote><ul><li>b</li></ul>", 1),
        ("<blockquote><ul><li><ol><li>deep</li></ol></li></ul></blockquote>", 3),
        (render_comment(">" * 20 + "a"), 20),
        (render_comment("\n".join("\t" * level + "- a" for level in range(12))), 12),
    ],
)
def test_block_depth_counts_nested_quotes_and_lists(fragment, depth):
    assert block_depth(fragment) == depth
