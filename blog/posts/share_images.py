"""The picture a shared link shows for a post without a cover: its title, the author with
credentials and the site's name on the site's colour, 1200×630 PNG, drawn by Pillow.

It is stored beside the uploads as ``<name>-1200.png`` (a media file name, served and
cached like one), where ``name`` is a hash of everything drawn: a new title, author name,
credentials or site title gives a new file and a new URL, so no messaging app keeps an
old card. The editor draws it when a post is saved; a page whose picture is missing (the
site's title changed, the media folder was moved) draws it once when next shown.
The text is set in DejaVu Sans (Debian's fonts-dejavu-core), else Pillow's own font.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

from blog.content import typographic
from blog.models import Post, Settings
from blog.posts.images import NAME_LENGTH, file_name, write_media_file

if TYPE_CHECKING:  # Pillow is imported when a picture is drawn, not by every worker
    from PIL import ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
VERSION = "2"  # part of the name: a new drawing gives every picture a new URL
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND = (15, 94, 99)  # the theme's accent (site.css --accent)
BAND = (10, 71, 75)
TEXT = (255, 255, 255)
SOFT = (206, 232, 230)
MARGIN = 80
LINE_WIDTH = WIDTH - 2 * MARGIN
TITLE_DRAWN = 400  # characters: more than four lines of the smallest size hold


def drawn_text(post: Post, settings: Settings) -> tuple[str, str, str]:
    """(title, byline, site title): what the picture shows."""
    author = post.author
    byline = author.name + (f", {author.credentials}" if author.credentials else "")
    return typographic(post.title), byline, settings.site_title


def share_name(post: Post, settings: Settings) -> str:
    digest = hashlib.sha256("\n".join((VERSION, *drawn_text(post, settings))).encode())
    return digest.hexdigest()[:NAME_LENGTH]


def share_file(post: Post, settings: Settings) -> str:
    return file_name(share_name(post, settings), WIDTH, "png")


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size)


def _title_lines(draw: ImageDraw.ImageDraw, title: str):
    """The title wrapped to the picture's width, as large as four lines allow; cut with
    "…" when even the smallest size needs more."""
    title = title[:TITLE_DRAWN]  # four lines hold far less; more is never measured
    for size in (76, 68, 60, 52, 46):
        font = _font(size, bold=True)
        lines = _wrapped(draw, title, font, LINE_WIDTH, most=5)
        if len(lines) <= 4:
            return font, size, lines
    lines[3] = _fitted(draw, f"{lines[3]} {lines[4]}", font, LINE_WIDTH)
    return font, size, lines[:4]


def _wrapped(draw: ImageDraw.ImageDraw, text: str, font, width: int, most: int) -> list[str]:
    """``text`` in lines no wider than ``width`` as measured in ``font`` (a word wider
    than a line is split), at most ``most`` of them."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if draw.textlength(joined, font=font) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        line = word
        while len(lines) < most and draw.textlength(line, font=font) > width:
            cut = _longest_fit(draw, line, font, width)
            lines.append(line[:cut])
            line = line[cut:]
        if len(lines) >= most:
            return lines[:most]
    return (lines + [line])[:most] if line or not lines else lines


def _longest_fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> int:
    """How many of ``text``'s first characters fit in ``width`` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if draw.textlength(text[:middle], font=font) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _fitted(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """``text`` on one line, cut with "…" where it would be wider than ``width``."""
    text = text[:TITLE_DRAWN]
    if draw.textlength(text, font=font) <= width:
        return text
    cut = _longest_fit(draw, text, font, width - draw.textlength("…", font=font))
    return text[:cut].rstrip(".,;: ") + "…"


def draw(post: Post, settings: Settings) -> bytes:
    """The picture as PNG bytes."""
    from PIL import Image, ImageDraw

    title, byline, site_title = drawn_text(post, settings)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, HEIGHT - 150, WIDTH, HEIGHT), fill=BAND)
    small = _font(30, bold=True)
    pen.text(
        (MARGIN, 70), _fitted(pen, site_title.upper(), small, LINE_WIDTH), font=small, fill=SOFT
    )
    font, size, lines = _title_lines(pen, title)
    top = 140 + (4 - len(lines)) * size * 0.6 * 0.5
    for number, line in enumerate(lines):
        pen.text((MARGIN, top + number * size * 1.18), line, font=font, fill=TEXT)
    font = _font(36, bold=True)
    pen.text((MARGIN, HEIGHT - 100), _fitted(pen, byline, font, LINE_WIDTH), font=font, fill=TEXT)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def ensure_share_image(post: Post, settings: Settings, media_dir: str) -> str | None:
    """The file name of the post's share picture, drawn now if it is not on disk; None
    for a post with a cover (the cover is its picture) or when it can't be written."""
    if post.cover is not None:
        return None
    name = share_file(post, settings)
    path = Path(media_dir) / name
    if not path.is_file():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_media_file(path, io.BytesIO(draw(post, settings)))
        except OSError:
            return None
    return name
