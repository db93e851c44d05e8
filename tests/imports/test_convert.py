"""HTML from another blog becomes Markdown that reads as if typed, and nothing hostile
gets through the pipeline every post takes."""

import pytest

from blog.content import render_post
from blog.imports.convert import autop, prepare, to_markdown, video_page
from blog.imports.ghost import lexical_html
from blog.imports.wix import original_image


def markdown(html: str, base="https://old.example/post/") -> str:
    prepared = prepare(html, base, lambda url: url)
    return to_markdown(prepared, lambda url: "/media/new-960.jpg", lambda url: None)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<h1>Title</h1><h3>Sub</h3>", "## Title\n\n### Sub\n"),
        ("<h2><strong>Bold</strong> heading</h2>", "## Bold heading\n"),
        ("<p>a <b>b</b> <i>c</i> <u>d</u> <span style='x'>e</span></p>", "a **b** *c* d e\n"),
        ("<p>Text &lt;script&gt; stays text</p>", "Text &lt;script> stays text\n"),
        ("<ol start='3'><li>three</li><li>four</li></ol>", "3. three\n4. four\n"),
        ("<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n    - b\n"),
        ("<blockquote><p>Said</p></blockquote>", "> Said\n"),
        ("<p>CO<sub>2</sub> 10<sup>9</sup>/L</p>", "CO<sub>2</sub> 10<sup>9</sup>/L\n"),
        ("<div><div><p>Deep</p></div></div><p>&nbsp;</p>", "Deep\n"),
        ("<p><a href='/x/'>r</a> <a href='#t'>t</a></p>", "[r](https://old.example/x/) t\n"),
        ("<figure><img src='a.jpg' alt='A [b]'><figcaption>Cap \"q\"</figcaption></figure>",
         '![A (b)](/media/new-960.jpg "Cap ”q”")\n'),
    ],
)  # fmt: skip
def test_html_becomes_plain_markdown(html, expected):
    assert markdown(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<style>body{display:none}</style>",
        "<iframe src='https://evil.example/'></iframe>",
        "<img src='https://t.example/p.gif' width='1' height='1'>",
        "<a href='javascript:alert(1)'>x</a>",
        "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
        "<p onclick='alert(1)'>x</p>",
        "<form action='https://evil.example'><input name='q'><button>Go</button></form>",
        "<svg onload='alert(1)'><circle/></svg>",
        "<object data='x.swf'></object><embed src='x.swf'>",
        "<math><mtext><script>alert(1)</script></mtext></math>",
    ],
)
def test_nothing_hostile_survives_conversion_and_rendering(html):
    text = markdown(html)
    rendered = render_post(text).html
    needles = ("<script", "alert(1)</", "<iframe", "<style", "javascript:", "onclick",
               "onload", "<form", "<svg", "<object", "<embed", "t.example", "<img")  # fmt: skip
    for needle in needles:
        assert needle not in rendered


def test_markup_written_as_text_stays_text():
    rendered = render_post(markdown("<p>&lt;img src=x onerror=alert(1)&gt;</p>")).html
    assert rendered == "<p>&lt;img src=x onerror=alert(1)&gt;</p>"


def test_videos_become_links_to_their_pages():
    assert video_page("https://www.youtube-nocookie.com/embed/abc?rel=0") == (
        "https://www.youtube.com/watch?v=abc"
    )
    assert video_page("https://player.vimeo.com/video/42") == "https://vimeo.com/42"
    text = markdown("<iframe src='https://player.vimeo.com/video/42' title='Exam'></iframe>")
    assert text == "[Watch “Exam” on Vimeo](https://vimeo.com/42)\n"


def test_a_thumbnail_linking_to_its_full_size_brings_the_full_size():
    prepared = prepare(
        "<a href='/up/photo.jpg'><img src='/up/photo-300x200.jpg' alt='P'></a>",
        "https://old.example/",
        lambda url: url,
    )
    assert [image.url for image in prepared.images] == ["https://old.example/up/photo.jpg"]


def test_classic_wordpress_paragraphs_are_wrapped_and_blocks_left_alone():
    assert autop("One\ntwo\n\n<h2>Head</h2>\n\nThree") == (
        "<p>One<br>\ntwo</p>\n<h2>Head</h2>\n<p>Three</p>"
    )
    assert autop("<p>Already</p>\n\nraw") == "<p>Already</p>\n\nraw"


def test_wix_resized_images_lead_to_their_originals():
    resized = (
        "https://static.wixstatic.com/media/aa11c0_walk~mv2.jpg/v1/fill/w_740,h_493,al_c,"
        "q_85/aa11c0_walk.jpg"
    )
    assert original_image(resized) == "https://static.wixstatic.com/media/aa11c0_walk~mv2.jpg"
    assert original_image("https://example.com/a.jpg") == "https://example.com/a.jpg"


def test_lexical_formats_and_cards_render():
    document = {
        "root": {
            "children": [
                {"type": "paragraph", "children": [
                    {"type": "text", "text": "<b>", "format": 0},
                    {"type": "text", "text": "code", "format": 16},
                    {"type": "linebreak"},
                    {"type": "text", "text": "both", "format": 3},
                ]},
                {"type": "list", "listType": "number", "children": [
                    {"type": "listitem", "children": [{"type": "text", "text": "one"}]},
                ]},
                {"type": "bookmark", "url": "https://example.com", "metadata": {"title": "Ex"}},
                {"type": "unknown-card", "children": [{"type": "text", "text": "kept"}]},
            ]
        }
    }  # fmt: skip
    html = lexical_html(document)
    assert html.startswith("<p>&lt;b&gt;<code>code</code><br><em><strong>both</strong></em></p>")
    assert "<ol><li>one</li></ol>" in html
    assert '<p><a href="https://example.com">Ex</a></p>' in html and html.endswith("kept")
