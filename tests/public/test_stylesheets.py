"""Front-end files by audience: a post page loads site.css (and print.css) and nothing
else; the other reader pages add pages.css, the author's pages admin.css; neither reader
stylesheet holds a rule that only the author's pages use, and site.css none that only
the other reader pages use."""

import re
from pathlib import Path

import html5lib
import pytest

BLOG = Path(__file__).resolve().parents[2] / "blog"
TEMPLATES = BLOG / "templates"
AUTHOR_SCRIPTS = {"editor", "media-upload.js"}  # js/editor/*.js and js/media-upload.js
READER_SHEETS = [("/static/css/site.css", None), ("/static/css/print.css", "print")]
AUTHOR_PAGES = [
    "/admin/",
    "/admin/posts/new",
    "/admin/comments",
    "/admin/media/library",
    "/admin/settings",
    "/admin/trash",
    "/admin/password",
]
# Class attributes in templates, and class names a script sets.
CLASS_ATTRIBUTE = re.compile(r"""class=\\?["']([^"']*)""")
SCRIPT_CLASS = re.compile(
    r"""(?:className\s*=|"class"\s*:|classList\.\w+\()\s*["']([^"']*)|class=\\?["']([^"']*)"""
)


def stylesheets(response) -> list[tuple[str, str | None]]:
    """Each stylesheet's path (without its version) and media."""
    tree = html5lib.parse(response.text, namespaceHTMLElements=False)
    return [
        (link.get("href").split("?v=")[0], link.get("media"))
        for link in tree.iter("link")
        if link.get("rel") == "stylesheet"
    ]


@pytest.mark.parametrize("path", AUTHOR_PAGES)
def test_the_authors_pages_add_admin_css(author_client, path):
    sheets = stylesheets(author_client.get(path))
    assert sheets == [*READER_SHEETS, ("/static/css/admin.css", None)]
    for href, _media in sheets:
        assert author_client.get(href).status_code == 200


def class_names(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        values = CLASS_ATTRIBUTE.findall(text)
    else:
        values = ["".join(groups) for groups in SCRIPT_CLASS.findall(text)]
    words = " ".join(re.sub(r"{{.*?}}|{%.*?%}", " ", value) for value in values).split()
    return {word for word in words if re.fullmatch(r"[a-z][\w-]*", word)}


def test_site_css_has_no_rule_only_the_authors_pages_use():
    author, reader = set(), set()
    for path in [*TEMPLATES.rglob("*.html"), *(BLOG / "static" / "js").rglob("*.js")]:
        is_author = path.parent.name == "author" or {path.parent.name, path.name} & AUTHOR_SCRIPTS
        (author if is_author else reader).update(class_names(path))
    author_only = author - reader
    assert {"admin-header", "queue-item", "media-card", "toolbar__button"} <= author_only
    for sheet in ("site.css", "pages.css"):
        assert selectors(sheet) & author_only == set(), sheet


def selectors(sheet: str) -> set[str]:
    css = re.sub(r"/\*.*?\*/", "", (BLOG / "static" / "css" / sheet).read_text(), flags=re.S)
    return set(re.findall(r"\.([a-zA-Z][\w-]*)", css))


def test_the_post_page_loads_no_rule_of_the_other_pages():
    """The cards, search, archive, sign-in and error rules stay out of a post's CSS."""
    assert {"card", "search-result", "archive__item", "auth-card", "error-page"} <= selectors(
        "pages.css"
    )
    assert (
        selectors("site.css")
        & {"card", "card__title", "search-result", "archive", "auth-card", "error-page"}
        == set()
    )


@pytest.mark.parametrize(
    "sheet", sorted((BLOG / "static" / "css").glob("*.css")), ids=lambda p: p.name
)
def test_every_block_in_a_stylesheet_is_closed(sheet):
    """A rule left open swallows every rule after it (a browser reads them as nested in
    it): each "{" has its "}" before the file ends, and none closes what isn't open."""
    text = re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.DOTALL)
    text = re.sub(r"\"[^\"\n]*\"|'[^'\n]*'", '""', text)
    depth = 0
    for character in text:
        depth += {"{": 1, "}": -1}.get(character, 0)
        assert depth >= 0, f"{sheet.name} closes a block that isn't open"
    assert depth == 0, f"{sheet.name} leaves a block open"
