"""HTML from another blog to Markdown that reads as if written by hand.

The HTML is first made plain (``prepare``): scripts, styles, frames, forms and tracking
pixels go; embedded videos become links; figures become an image with its caption; each
image's address is resolved to its original. markdownify then writes the Markdown, with
images and links pointed at their new homes by the caller. What comes out goes through
the same render-and-sanitise pipeline as anything the author types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from markdownify import ATX, MarkdownConverter

from blog.imports.sources import ImageRef

# Elements that never carry the post's words.
DROPPED = (
    "script", "style", "noscript", "template", "object", "embed", "applet", "form",
    "input", "select", "textarea", "svg", "canvas", "link", "meta", "head", "title",
    "base", "map", "area", "dialog", "audio", "track", "param",
)  # fmt: skip
BLOCKS = ("p", "div", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "pre", "figure", "hr", "section", "article")  # fmt: skip
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")
# Players whose frames become a link to the video; any other frame is left out.
VIDEO_HOSTS = (
    "youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "wistia.com",
    "wistia.net", "loom.com", "dailymotion.com", "video.wixstatic.com", "ted.com",
)  # fmt: skip
IMPORT_SRC = "data-import-src"
_TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
_BLANK_LINES = re.compile(r"\n{3,}")
_NBSP_LINE = re.compile(r"^[ \t\u00a0]+$", re.MULTILINE)

ImagePath = Callable[[str], str | None]
LinkPath = Callable[[str], str | None]


@dataclass
class Prepared:
    soup: BeautifulSoup
    base_url: str
    images: list[ImageRef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


_BLOCK_START = re.compile(r"<(?:%s)[\s>/]" % "|".join(BLOCKS), re.IGNORECASE)  # noqa: UP031


def autop(text: str) -> str:
    """WordPress's classic editor stores paragraphs as blank lines, not <p>: wrap each
    run of text in a paragraph (its line breaks kept), leaving blocks as they are."""
    if re.search(r"<p[\s>]", text, re.IGNORECASE):
        return text
    chunks = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "\n".join(
        chunk if _BLOCK_START.match(chunk) else "<p>" + chunk.replace("\n", "<br>\n") + "</p>"
        for chunk in chunks
    )


def prepare(html: str, base_url: str, original_image: Callable[[str], str]) -> Prepared:
    """Parse ``html`` and reduce it to what a post is made of; the images it shows, in
    order, each under the address of its original."""
    soup = BeautifulSoup(html or "", "html.parser")
    prepared = Prepared(soup=soup, base_url=base_url)
    for node in soup.find_all(string=lambda text: isinstance(text, Comment)):
        node.extract()
    for frame in soup.find_all(["iframe", "video", "frame"]):
        _frame_to_link(frame, base_url, prepared)
    for name in DROPPED:
        for node in soup.find_all(name):
            node.decompose()
    for button in soup.find_all("button"):
        if button.find("img"):
            button.unwrap()
        else:
            button.decompose()
    for heading in soup.find_all(re.compile(r"^h[1-6]$")):
        for emphasis in heading.find_all(["strong", "b", "em", "i", "u", "span"]):
            emphasis.unwrap()
    for picture in soup.find_all("picture"):
        for source in picture.find_all("source"):
            source.decompose()
        picture.unwrap()
    for image in soup.find_all("img"):
        _prepare_image(image, prepared, original_image)
    for figure in soup.find_all("figure"):
        _flatten_figure(figure, soup)
    for name in ("u", "font", "center", "span"):
        for node in soup.find_all(name):
            node.unwrap()
    return prepared


def _frame_to_link(frame: Tag, base_url: str, prepared: Prepared) -> None:
    """An embedded player becomes a paragraph with a link to the video."""
    source = frame.get("src") or ""
    if not source and frame.name == "video":
        inner = frame.find("source", src=True)
        source = inner["src"] if inner else ""
    url = video_page(urljoin(base_url, source)) if source else ""
    host = (urlsplit(url).hostname or "").lower()
    is_video = frame.name == "video" or any(
        host == name or host.endswith("." + name) for name in VIDEO_HOSTS
    )
    if urlsplit(url).scheme not in ("http", "https") or not is_video:
        if source:
            prepared.notes.append(f"an embedded frame from {host or source[:80]} was left out")
        frame.decompose()
        return
    title = " ".join((frame.get("title") or "").split())
    if "youtube" in host or host == "youtu.be":
        text = f"Watch “{title}” on YouTube" if title else "Watch the video on YouTube"
    elif "vimeo" in host:
        text = f"Watch “{title}” on Vimeo" if title else "Watch the video on Vimeo"
    else:
        text = f"Watch “{title}”" if title else "Watch the video"
    paragraph = prepared.soup.new_tag("p")
    link = prepared.soup.new_tag("a", href=url)
    link.string = text
    paragraph.append(link)
    frame.replace_with(paragraph)


def video_page(url: str) -> str:
    """A player's address turned into the video's own page (YouTube, Vimeo)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    path = parts.path.rstrip("/")
    if host in ("youtube.com", "youtube-nocookie.com", "m.youtube.com"):
        if path.startswith("/embed/"):
            return "https://www.youtube.com/watch?v=" + path.split("/")[2]
        video = parse_qs(parts.query).get("v")
        if video:
            return "https://www.youtube.com/watch?v=" + video[0]
    if host == "player.vimeo.com" and path.startswith("/video/"):
        return "https://vimeo.com/" + path.split("/")[2]
    return url


def _image_source(image: Tag) -> str:
    for attribute in ("data-src", "data-lazy-src", "data-orig-file", "src"):
        value = (image.get(attribute) or "").strip()
        if value and not value.startswith("data:"):
            return value
    candidates = [part.strip().split(" ")[0] for part in (image.get("srcset") or "").split(",")]
    return candidates[-1] if candidates and candidates[-1] else ""


def _is_tracking_pixel(image: Tag) -> bool:
    sizes = [image.get("width"), image.get("height")]
    return any(str(size).strip().rstrip("px") in ("0", "1", "2") for size in sizes if size)


def _prepare_image(image: Tag, prepared: Prepared, original_image: Callable[[str], str]) -> None:
    source = _image_source(image)
    if not source or _is_tracking_pixel(image):
        image.decompose()
        return
    url = urljoin(prepared.base_url, source)
    link = image.find_parent("a")
    if link is not None and _only_image(link):
        href = urljoin(prepared.base_url, link.get("href") or "")
        if urlsplit(href).path.lower().endswith(IMAGE_EXTENSIONS):
            url = href  # a thumbnail linking to the full-size file: keep the full size
        link.unwrap()
    if urlsplit(url).scheme not in ("http", "https", "file"):
        image.decompose()
        return
    url = original_image(url)
    alt = " ".join((image.get("alt") or "").split())
    title = " ".join((image.get("title") or "").split())
    image.attrs = {IMPORT_SRC: url, "alt": alt}
    if title:
        image["title"] = title
    prepared.images.append(ImageRef(url=url, alt=alt))


def _only_image(link: Tag) -> bool:
    text = link.get_text(" ", strip=True)
    return not text and len(link.find_all("img")) == 1


def _flatten_figure(figure: Tag, soup: BeautifulSoup) -> None:
    """<figure><img><figcaption> becomes an image with its caption as title (the
    editor's own way of writing a caption); other figures keep their content."""
    caption_tag = figure.find("figcaption")
    caption = " ".join(caption_tag.get_text(" ").split()) if caption_tag else ""
    images = figure.find_all("img")
    if len(images) == 1 and not figure.find(["table", "blockquote", "pre"]):
        image = images[0].extract()
        if caption:
            image["title"] = caption
        paragraph = soup.new_tag("p")
        paragraph.append(image)
        figure.replace_with(paragraph)
        return
    if caption_tag is not None:
        emphasis = soup.new_tag("em")
        emphasis.string = caption
        paragraph = soup.new_tag("p")
        paragraph.append(emphasis)
        caption_tag.replace_with(paragraph)
    figure.unwrap()


class _Converter(MarkdownConverter):
    """markdownify with this site's choices: ATX headings starting at ##, "-" bullets,
    images and links pointed at their new addresses, nothing that looks like a tag."""

    def __init__(self, image_path: ImagePath, link_path: LinkPath, base_url: str):
        super().__init__(
            heading_style=ATX,
            bullets="-",
            sub_symbol="<sub>",
            sup_symbol="<sup>",
            escape_underscores=False,
            code_language_callback=_code_language,
        )
        self.image_path = image_path
        self.link_path = link_path
        self.base_url = base_url

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return _TAG_LIKE.sub("&lt;", text)

    def convert_hN(self, n, el, text, parent_tags):  # noqa: N802 - markdownify's name
        return super().convert_hN(max(2, n), el, text, parent_tags)

    def convert_li(self, el, text, parent_tags):
        """Items indented by four spaces, as Python-Markdown needs for nested lists."""
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            first = int(start) if start.isdigit() else 1
            bullet = f"{first + len(el.find_previous_siblings('li'))}. "
        else:
            bullet = "- "
        indent = " " * max(4, len(bullet))
        lines = text.split("\n")
        rest = [indent + line if line else "" for line in lines[1:]]
        return "\n".join([bullet + lines[0], *rest]) + "\n"

    def convert_img(self, el, text, parent_tags):
        path = self.image_path(el.get(IMPORT_SRC) or "")
        alt = (el.get("alt") or "").replace("[", "(").replace("]", ")")
        if path is None:
            return alt if "_inline" in parent_tags else ""
        if "_inline" in parent_tags:
            return alt
        title = (el.get("title") or "").replace('"', "”")
        return f"![{alt}]({path}" + (f' "{title}"' if title else "") + ")"

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        href = (el.get("href") or "").strip()
        if not text.strip():
            return text
        if href.startswith("#") or not href:
            return text
        url = urljoin(self.base_url, href)
        scheme = urlsplit(url).scheme
        if scheme == "mailto":
            target = url
        elif scheme in ("http", "https"):
            target = self.link_path(url) or url
        else:
            return text  # javascript:, data:, file: and the like keep only their words
        prefix = " " if text.startswith(" ") else ""
        suffix = " " if text.endswith(" ") else ""
        label = text.strip()
        if label == target and scheme != "mailto":
            return f"{prefix}<{target}>{suffix}"
        return f"{prefix}[{label}]({target.replace(' ', '%20').replace(')', '%29')}){suffix}"


def _code_language(element: Tag) -> str:
    for node in (element, element.find("code")):
        if node is None:
            continue
        for name in node.get("class") or []:
            if name.startswith("language-"):
                return name.removeprefix("language-")
    return ""


def to_markdown(
    prepared: Prepared,
    image_path: ImagePath,
    link_path: LinkPath = lambda url: None,
) -> str:
    """The prepared HTML as Markdown. ``image_path`` gives an image's new address (None
    leaves the image out); ``link_path`` a link's new address (None keeps it)."""
    converter = _Converter(image_path, link_path, prepared.base_url)
    text = converter.convert_soup(prepared.soup)
    text = _NBSP_LINE.sub("", text)
    text = "\n".join(
        line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")
    )
    return _BLANK_LINES.sub("\n\n", text).strip() + "\n"


def plain_text(html: str) -> str:
    """Text of a fragment, whitespace collapsed (titles, excerpts, names)."""
    soup = BeautifulSoup(html or "", "html.parser")
    return " ".join(soup.get_text(" ").split())
