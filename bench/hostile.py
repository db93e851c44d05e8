"""Hostile text: the inputs that make a Markdown renderer slow, deep or huge, each built
at a size cap (5,000 characters for a comment, MAX_POST_KB for a post). Tests and
benchmarks send the same texts.

Each family is a function of the cap; its text is never longer than the cap, and as close
to it as the family's pattern allows.
"""

from collections.abc import Callable, Iterator
from importlib import resources
from itertools import chain, count

import frontmatter

from blog import config
from blog.core.forms import COMMENT_MAX
from blog.posts.samples import sample_post_files

COMMENT_CAP = COMMENT_MAX
POST_CAP = config.MAX_POST_KB * 1024


def repeat(unit: str, cap: int, end: str = "") -> str:
    """``unit`` as many times as fits in ``cap`` characters with ``end`` after it."""
    return unit * ((cap - len(end)) // len(unit)) + end


def fill(pieces: Iterator[str], cap: int, separator: str = "\n") -> str:
    """Pieces joined by ``separator`` for as long as they fit in ``cap`` characters."""
    kept, size = [], 0
    for piece in pieces:
        size += len(piece) + (len(separator) if kept else 0)
        if size > cap:
            break
        kept.append(piece)
    return separator.join(kept)


def referenced(ref: Callable[[int], str], target: Callable[[int], str]) -> Callable[[int], str]:
    """Thousands of numbered references, then what each refers to (footnotes, links)."""

    def build(cap: int) -> str:
        refs, targets, size = [], [], 2
        for number in count(1):
            size += len(ref(number)) + len(target(number)) + 1
            if size > cap:
                break
            refs.append(ref(number))
            targets.append(target(number))
        return "".join(refs) + "\n\n" + "\n".join(targets)

    return build


def table(columns: int) -> Callable[[int], str]:
    """A table with ``columns`` columns and as many rows as fit."""

    def build(cap: int) -> str:
        header = "|" + "".join(f" h{n} |" for n in range(columns))
        rule = "|" + "---|" * columns
        rows = ("|" + "".join(f" {row}.{n} |" for n in range(columns)) for row in count())
        return fill(chain([header, rule], rows), cap)

    return build


def mixed(cap: int) -> str:
    """A slice of every other family, one after another."""
    others = [build for name, build in FAMILIES.items() if name != "mixed"]
    share = cap // len(others) - 2
    return "\n\n".join(build(share) for build in others)


FAMILIES: dict[str, Callable[[int], str]] = {
    "brackets": lambda cap: repeat("[", cap),
    "bracket-a": lambda cap: repeat("[a", cap),
    "bracket-a-paren": lambda cap: repeat("[a(", cap),
    "image-brackets": lambda cap: repeat("![", cap),
    "stars": lambda cap: repeat("*", cap),
    "underscores": lambda cap: repeat("_", cap),
    "backticks": lambda cap: repeat("`", cap),
    "angle-brackets": lambda cap: repeat("<", cap),
    "anchor-tags": lambda cap: repeat("<a ", cap),
    "nested-emphasis": lambda cap: repeat("*_", cap, "a"),
    "nested-list": lambda cap: repeat("- ", cap, "a"),
    "indented-list": lambda cap: fill(("  " * level + "- item" for level in count()), cap),
    "tab-indented-list": lambda cap: fill(("\t" * level + "- item" for level in count()), cap),
    "nested-quotes": lambda cap: repeat("> ", cap, "a"),
    "nested-quotes-unspaced": lambda cap: repeat(">", cap, "a"),
    "footnotes": referenced(lambda n: f"[^{n}]", lambda n: f"[^{n}]: Note {n}."),
    "reference-links": referenced(
        lambda n: f"[link {n}][r{n}] ", lambda n: f"[r{n}]: https://example.org/{n}"
    ),
    "table-rows": table(8),
    "table-columns": table(400),
    "headings": lambda cap: repeat("## Heading\n\n", cap),
    "long-line": lambda cap: repeat("word ", cap),
    "mixed": mixed,
}


def hostile(family: str, cap: int) -> str:
    """The family's text at ``cap`` characters (or just under)."""
    return FAMILIES[family](cap)


# -- Ordinary text, for comparison: the sample posts and comments ----------------------


def _sample(name: str) -> str:
    return resources.files("blog.posts").joinpath("sample", name).read_text(encoding="utf-8")


def sample_posts() -> dict[str, str]:
    """Each sample post's Markdown, by file name."""
    return {name: frontmatter.loads(_sample(name)).content for name in sample_post_files()}


def sample_comments() -> list[str]:
    """The sample comments' text."""
    lines = _sample("comments.txt").splitlines()
    return [line.removeprefix("body:").strip() for line in lines if line.startswith("body:")]


def ordinary(texts: list[str], cap: int) -> str:
    """Ordinary writing at the cap: the texts one after another, again and again."""
    return fill((texts[n % len(texts)] for n in count()), cap, separator="\n\n")
