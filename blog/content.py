"""The content pipeline: Markdown to safe HTML, rendered once when text is saved.

Two bleach policies guard what readers receive. The author policy allows what a
long-form medical post needs (headings, tables, figures, footnotes, code); the comment
policy allows a little formatting and links made from bare URLs, never raw HTML. Only
output of this module is marked safe in templates. bleach stays inside this module, so
a move to another sanitiser is a local change.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
import markdown
from bleach.html5lib_shim import Filter
from bleach.linkifier import LinkifyFilter, build_url_re
from markdown.extensions import Extension
from markdown.extensions.toc import slugify as toc_slugify
from markdown.treeprocessors import Treeprocessor

WORDS_PER_MINUTE = 230
EXCERPT_CHARS = 280

# -- Policies ---------------------------------------------------------------------------

AUTHOR_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "em", "strong", "b", "i", "s",
        "del", "ins", "mark", "small", "abbr", "a", "img", "figure", "figcaption", "picture",
        "source", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "ul",
        "ol", "li", "dl", "dt", "dd", "blockquote", "code", "pre", "kbd", "sup", "sub",
        "div", "span",
    }
)  # fmt: skip
COMMENT_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a"}
)
PROTOCOLS = frozenset({"http", "https", "mailto"})

_CLASS_RE = re.compile(
    r"^(footnote|footnote-ref|footnote-backref|toclink|language-[\w+-]{1,30}|"
    r"heading-anchor|table-wrap|align-(?:left|center|right))$"
)
_ID_RE = re.compile(r"^[\w:.-]{1,100}$")
# The ids of the reader's pages around the text (templates/public: the post, its like and
# comment forms, a page, About): a heading or element of the text never takes one, which
# would break the contents' links, the forms' labels and the page's landmarks.
PAGE_IDS = frozenset(
    {
        "main", "site-search-q", "post-title", "page-title", "about-title", "like",
        "comments", "comments-heading", "comment-form", "comment-form-heading",
        "related-heading", "name", "email", "website", "body", "body-hint", "email-hint",
        "parent_id", "started", "kept-comment", "subscribe-heading", "subscribe-email-error",
        "featured-heading", "latest-heading", "search-page-q", "csrf_token",
    }
)  # fmt: skip
_COMMENT_ID_RE = re.compile(r"^comment-\d+$")  # each comment's own anchor


def page_has_id(value: str) -> bool:
    return value in PAGE_IDS or bool(_COMMENT_ID_RE.match(value))


_SRCSET_RE = re.compile(r"^/media/[\w.-]+ \d{1,5}w(, /media/[\w.-]+ \d{1,5}w)*$")
_SIZES_RE = re.compile(r"^[\w\s(),:.%-]{1,200}$")
_DIMENSION_RE = re.compile(r"^\d{1,5}$")


def _author_attribute(tag: str, name: str, value: str) -> bool:
    """The author policy's attribute allow-list (bleach calls it per attribute)."""
    if name == "class":
        return all(_CLASS_RE.match(part) for part in value.split())
    if name == "id":
        return (
            tag in {"h1", "h2", "h3", "h4", "h5", "h6", "li", "sup", "div"}
            and bool(_ID_RE.match(value))
            and not page_has_id(value)
        )
    if name in {"title", "alt"}:
        return True
    allowed = {
        "a": {"href", "rel", "aria-label"},
        "img": {"src", "width", "height", "loading", "decoding", "srcset", "sizes"},
        "source": {"srcset", "sizes", "type"},
        "th": {"scope", "colspan", "rowspan"},
        "td": {"colspan", "rowspan"},
        "ol": {"start"},
        "abbr": set(),
    }.get(tag, set())
    if name not in allowed:
        return False
    if name == "srcset":
        return bool(_SRCSET_RE.match(value))
    if name == "sizes":
        return bool(_SIZES_RE.match(value))
    if name in {"width", "height", "start", "colspan", "rowspan"}:
        return bool(_DIMENSION_RE.match(value))
    if name == "type":
        return value in {"image/webp", "image/jpeg", "image/png", "image/gif"}
    if name == "loading":
        return value in {"lazy", "eager"}
    if name == "decoding":
        return value in {"async", "auto", "sync"}
    if name == "scope":
        return value in {"col", "row"}
    return True


class ExternalLinkFilter(Filter):
    """Gives links to other sites rel="noopener"; keeps nothing the author set on rel."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = token["data"]
                attrs.pop((None, "rel"), None)
                href = attrs.get((None, "href"), "")
                if urlsplit(href).scheme in ("http", "https"):
                    attrs[(None, "rel")] = "noopener"
            yield token


def _comment_link(attrs: dict, new: bool = False) -> dict | None:
    """Linkify callback: only http(s) links, marked as user-generated and not endorsed."""
    href = attrs.get((None, "href"), "")
    if urlsplit(href).scheme not in ("http", "https"):
        return None
    attrs[(None, "rel")] = "nofollow ugc noopener"
    attrs.pop((None, "target"), None)
    return attrs


_author_cleaner = bleach.Cleaner(
    tags=AUTHOR_TAGS,
    attributes=_author_attribute,
    protocols=PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[ExternalLinkFilter],
)
_comment_cleaner = bleach.Cleaner(
    tags=COMMENT_TAGS - {"a"},
    attributes={},
    protocols={"http", "https"},
    strip=True,
    strip_comments=True,
    filters=[
        partial(
            LinkifyFilter,
            callbacks=[_comment_link],
            skip_tags={"pre", "code"},
            parse_email=False,
            url_re=build_url_re(protocols=["http", "https"]),
        )
    ],
)


def clean_author_html(dirty: str) -> str:
    """Sanitise HTML with the author policy."""
    return _author_cleaner.clean(dirty)


def clean_comment_html(dirty: str) -> str:
    """Sanitise HTML with the comment policy, turning bare URLs into nofollow links."""
    return _comment_cleaner.clean(dirty)


# -- Markdown ---------------------------------------------------------------------------

MediaLookup = Callable[[str], dict[str, str] | None]


class FigureTreeprocessor(Treeprocessor):
    """Images get lazy loading, known dimensions, and a figure with the title as caption.

    ``lookup(src)`` may return attributes for an uploaded image (src, width, height,
    srcset, sizes); when it also returns ``webp-srcset``, the image is wrapped in a
    <picture> whose WebP <source> browsers that know WebP pick, the others keep the
    <img>'s JPEG/PNG srcset. An image alone in its paragraph becomes a <figure>.
    """

    def __init__(self, md, lookup: MediaLookup | None):
        super().__init__(md)
        self.lookup = lookup

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for img in list(root.iter("img")):
            img.set("loading", "lazy")
            img.set("decoding", "async")
            found = dict(self.lookup(img.get("src", "")) or {}) if self.lookup else {}
            webp_srcset = found.pop("webp-srcset", None)
            for name, value in found.items():
                img.set(name, value)
            if webp_srcset and img in parents:
                _wrap_in_picture(parents[img], img, webp_srcset)
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "p" and _lone_image(child):
                    parent[index] = _figure(child[0])


def _wrap_in_picture(parent: etree.Element, img: etree.Element, webp_srcset: str) -> None:
    picture = etree.Element("picture")
    source = etree.SubElement(picture, "source", {"type": "image/webp", "srcset": webp_srcset})
    if img.get("sizes"):
        source.set("sizes", img.get("sizes"))
    picture.tail, img.tail = img.tail, None
    parent[list(parent).index(img)] = picture
    picture.append(img)


def _lone_image(paragraph: etree.Element) -> bool:
    return (
        len(paragraph) == 1
        and paragraph[0].tag in ("img", "picture")
        and not (paragraph.text or "").strip()
        and not (paragraph[0].tail or "").strip()
    )


def _figure(image: etree.Element) -> etree.Element:
    """A figure around an <img> or <picture>, captioned by the image's title."""
    figure = etree.Element("figure")
    image.tail = None
    img = image if image.tag == "img" else image.find("img")
    caption = img.attrib.pop("title", "").strip()
    figure.append(image)
    if caption:
        figcaption = etree.SubElement(figure, "figcaption")
        figcaption.text = caption
    return figure


class FigureExtension(Extension):
    def __init__(self, lookup: MediaLookup | None = None):
        super().__init__()
        self.lookup = lookup

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(FigureTreeprocessor(md, self.lookup), "rounds_figures", 1)


class TableWrapTreeprocessor(Treeprocessor):
    """Wraps tables so a wide one scrolls on its own instead of widening the page, and
    turns the column alignment the tables extension writes as the obsolete ``align``
    attribute into a class the stylesheet knows (no inline style: the CSP forbids it)."""

    def run(self, root: etree.Element) -> None:
        for cell in root.iter():
            align = cell.attrib.pop("align", None) if cell.tag in ("th", "td") else None
            if align in ("left", "center", "right"):
                cell.set("class", f"align-{align}")
        for parent in list(root.iter()):
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    wrapper = etree.Element("div", {"class": "table-wrap"})
                    wrapper.tail, child.tail = child.tail, None
                    wrapper.append(child)
                    parent[index] = wrapper


class TableWrapExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(TableWrapTreeprocessor(md), "rounds_table_wrap", 2)


class HeadingAnchorTreeprocessor(Treeprocessor):
    """Gives each h2 and h3 a "#" link to itself, labelled for screen readers.

    Runs after the toc extension, which has given headings their ids and recorded their
    text (so the contents list does not pick up the "#").
    """

    def run(self, root: etree.Element) -> None:
        names = {anchor: text for _, anchor, text in _flatten_toc(self.md.toc_tokens)}
        for heading in root.iter():
            anchor = heading.get("id")
            if heading.tag not in ("h2", "h3") or not anchor:
                continue
            link = etree.SubElement(
                heading,
                "a",
                {
                    "class": "heading-anchor",
                    "href": "#" + anchor,
                    "aria-label": "Link to this section: " + names.get(anchor, anchor),
                },
            )
            link.text = "#"


class HeadingAnchorExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.treeprocessors.register(HeadingAnchorTreeprocessor(md), "rounds_heading_anchors", 4)


def heading_id(text: str, separator: str) -> str:
    """A heading's id, as Markdown makes it, unless the page around the text has it."""
    made = toc_slugify(text, separator)
    return f"{made}{separator}section" if page_has_id(made) else made


def _post_markdown(lookup: MediaLookup | None) -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "tables",
            "footnotes",
            "fenced_code",
            "sane_lists",
            "smarty",
            "toc",
            FigureExtension(lookup),
            TableWrapExtension(),
            HeadingAnchorExtension(),
        ],
        extension_configs={
            "tables": {"use_align_attribute": True},
            "footnotes": {"BACKLINK_TITLE": "Back to the text of note %d"},
            "toc": {"toc_depth": "2-3", "slugify": heading_id},
        },
        output_format="html",
    )


def _comment_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["fenced_code", "sane_lists", "nl2br"], output_format="html")
    # Readers' raw HTML is shown as text, never parsed.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


@dataclass
class RenderedPost:
    html: str
    text: str
    toc: list[tuple[int, str, str]] = field(default_factory=list)
    word_count: int = 0
    reading_minutes: int = 1
    excerpt: str = ""


def render_post(source: str, lookup: MediaLookup | None = None) -> RenderedPost:
    """Render a post's Markdown to sanitised HTML with its text, contents and reading time."""
    md = _post_markdown(lookup)
    safe_html = clean_author_html(md.convert(source or ""))
    text = html_to_text(safe_html)
    words = count_words(text)
    return RenderedPost(
        html=safe_html,
        text=text,
        toc=_flatten_toc(md.toc_tokens),
        word_count=words,
        reading_minutes=reading_minutes(words),
        excerpt=make_excerpt(safe_html),
    )


def render_comment(source: str) -> str:
    """Render a reader's comment to sanitised HTML (no images, headings or raw HTML)."""
    return clean_comment_html(_comment_markdown().convert(source or ""))


def render_page(source: str) -> str:
    """Render a page such as About or the author's bio with the author policy."""
    return render_post(source).html


def _flatten_toc(tokens: list[dict]) -> list[tuple[int, str, str]]:
    flat: list[tuple[int, str, str]] = []
    for token in tokens:
        flat.append((token["level"], token["id"], html.unescape(token["name"])))
        flat.extend(_flatten_toc(token.get("children", [])))
    return flat


# -- Text helpers -------------------------------------------------------------------------

# Straight quotes, dashes and dots as the smarty extension sets them in a post's body, for
# plain text shown as it is stored (titles): what follows an opening mark opens a quote.
_OPENS_BEFORE = r"(^|(?<=[\s(\[{\u2014\u2013-]))"
_TYPOGRAPHY = (
    (re.compile(r"---"), "\u2014"),
    (re.compile(r"--"), "\u2013"),
    (re.compile(r"\.\.\."), "\u2026"),
    (re.compile(r"'(?=\d\ds\b)"), "\u2019"),  # '90s
    (re.compile(r"(?<=\w)'(?=\w)"), "\u2019"),  # don't
    (re.compile(_OPENS_BEFORE + '"'), "\u201c"),
    (re.compile('"'), "\u201d"),
    (re.compile(_OPENS_BEFORE + "'"), "\u2018"),
    (re.compile("'"), "\u2019"),
)


def typographic(text: str) -> str:
    """Plain text with curly quotes, en and em dashes and an ellipsis, as in the body."""
    for pattern, replacement in _TYPOGRAPHY:
        text = pattern.sub(replacement, text)
    return text


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment, a space between blocks."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "br", "div", "pre",
              "blockquote", "figcaption", "tr", "dt", "dd"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_anchor = False  # a heading's "#" link is not part of the text

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if tag == "a" and ("class", "heading-anchor") in attrs:
            self.in_anchor = True

    def handle_endtag(self, tag):
        if tag in self.BLOCKS:
            self.parts.append(" ")
        if tag == "a":
            self.in_anchor = False

    def handle_data(self, data):
        if not self.in_anchor:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def count_words(text: str) -> int:
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def truncate(text: str, limit: int) -> str:
    """Cut text at a word boundary, with an ellipsis when anything was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


class _FirstParagraph(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "p" and self.depth:
            self.depth -= 1
            if not self.depth and "".join(self.parts).strip():
                self.done = True

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


class _Nesting(HTMLParser):
    TAGS = {"blockquote", "ul", "ol"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.depth:
            self.depth -= 1


def block_depth(fragment: str) -> int:
    """How deeply quotes and lists nest in an HTML fragment (a list in a quote is 2)."""
    parser = _Nesting()
    parser.feed(fragment)
    parser.close()
    return parser.deepest


def make_excerpt(fragment: str, limit: int = EXCERPT_CHARS) -> str:
    """The first paragraph's text, cut to ``limit`` characters."""
    parser = _FirstParagraph()
    parser.feed(fragment)
    parser.close()
    return truncate("".join(parser.parts), limit)
