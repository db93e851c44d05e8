"""The plain-text part of a mail, made from the stored sanitised HTML (no second
Markdown renderer): paragraphs, headings, lists, quotes, tables and figures as text, a
link as its text and its address, an image as its description."""

import textwrap
from html.parser import HTMLParser

WIDTH = 72
BLOCKS = {"p", "div", "figure", "figcaption", "table", "pre", "hr", "section", "dl", "dt", "dd"}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
SKIPPED_LINKS = {"heading-anchor", "footnote-backref"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.tight: list[bool] = []  # list items and table rows follow each other directly
        self.ends: set[int] = set()  # blocks that end a list: a blank line after them
        self.line: list[str] = []
        self.lists: list[list] = []  # ["ul"|"ol", counter]
        self.quote = 0
        self.pre = 0
        self.skip = 0  # inside a heading's "#" anchor or a footnote's "↩" link
        self.item_prefix = ""  # a list item's "- " or "2. ", for its first line
        self.links: list[str | None] = []
        self.heading = ""
        self.cells: list[str] | None = None

    def add(self, block: str, tight: bool = False) -> None:
        self.blocks.append(block)
        self.tight.append(tight)

    def flush(self, tight: bool = False) -> None:
        text = "".join(self.line)
        self.line = []
        if not self.pre:
            text = " ".join(text.split())
        if not text.strip():
            return
        prefix, self.item_prefix = self.item_prefix, ""
        tight = tight or bool(prefix)
        quote = "> " * self.quote
        if self.pre:
            rows = text.strip("\n").split("\n")
            self.add("\n".join(quote + "    " + row for row in rows))
            return
        indent = "   " * max(0, len(self.lists) - 1)
        first = quote + indent + prefix
        rest = quote + indent + " " * len(prefix)
        self.add(
            textwrap.fill(
                text,
                WIDTH,
                initial_indent=first,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            ),
            tight,
        )

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.skip:
            return
        if tag == "a" and (attributes.get("class") or "") in SKIPPED_LINKS:
            self.skip = 1
            return
        if tag in BLOCKS or tag in HEADINGS or tag == "blockquote":
            self.flush()
        if tag in HEADINGS:
            self.heading = tag
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self.flush()
            kind, number = ("ul", 0)
            if self.lists:
                self.lists[-1][1] += 1
                kind, number = self.lists[-1]
            self.item_prefix = f"{number}. " if kind == "ol" else "- "
        elif tag == "sup":
            self.line.append("[")
        elif tag == "br":
            self.line.append("\n" if self.pre else " ")
        elif tag == "a":
            self.links.append(attributes.get("href"))
        elif tag == "img":
            alt = (attributes.get("alt") or "").strip()
            self.line.append(f"[Image: {alt}]" if alt else "[Image]")
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            self.cells.append("")
        elif tag == "hr":
            self.add("* * *")

    def handle_endtag(self, tag):
        if self.skip:
            if tag == "a":
                self.skip = 0
            return
        if tag in HEADINGS:
            title = " ".join("".join(self.line).split())
            self.line = []
            if title:
                rule = "=" if tag in ("h1", "h2") else "-"
                self.add(f"{title}\n{rule * min(len(title), WIDTH)}")
            self.heading = ""
        elif tag == "li":
            self.flush(tight=True)
        elif tag == "sup":
            self.line.append("]")
        elif tag in ("ul", "ol"):
            self.flush()
            if self.lists:
                self.lists.pop()
            self.ends.add(len(self.blocks) - 1)
        elif tag == "blockquote":
            self.flush()
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.flush()
            self.pre = max(0, self.pre - 1)
        elif tag == "a":
            href = self.links.pop() if self.links else None
            text = " ".join("".join(self.line).split())
            if href and href.startswith(("http://", "https://")) and href not in text:
                self.line.append(f" <{href}>")
        elif tag in ("td", "th") and self.cells is not None:
            self.cells[-1] = " ".join("".join(self.line).split())
            self.line = []
        elif tag == "tr" and self.cells is not None:
            self.line = [" | ".join(self.cells)]
            self.cells = None
            self.flush(tight=True)
        elif tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.line.append(data)


def html_to_text(fragment: str) -> str:
    """Readable plain text of a sanitised HTML fragment, wrapped at 72 characters."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    parser.flush()
    parts = []
    for number, block in enumerate(parser.blocks):
        if number:
            together = parser.tight[number] and parser.tight[number - 1]
            together = together and number - 1 not in parser.ends
            parts.append("\n" if together else "\n\n")
        parts.append(block)
    return "".join(parts)
