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
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from blog.content import typographic
from blog.models import Post, Settings
from blog.posts.images import NAME_LENGTH, file_name, write_media_file

WIDTH, HEIGHT = 1200, 630
VERSION = "1"  # part of the name: a new drawing gives every picture a new URL
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
BACKGROUND = (15, 94, 99)  # the theme's accent (site.css --accent)
BAND = (10, 71, 75)
TEXT = (255, 255, 255)
SOFT = (206, 232, 230)
MARGIN = 80


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
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size)


def _title_lines(draw: ImageDraw.ImageDraw, title: str):
    """The title wrapped to the picture's width, as large as four lines allow."""
    for size in (76, 68, 60, 52, 46):
        font = _font(size, bold=True)
        per_line = max(8, int((WIDTH - 2 * MARGIN) / (size * 0.58)))
        lines = textwrap.wrap(title, per_line) or [""]
        if len(lines) <= 4 and all(
            draw.textlength(line, font=font) <= WIDTH - 2 * MARGIN for line in lines
        ):
            return font, size, lines
    lines = textwrap.wrap(title, per_line)[:4]
    lines[-1] = lines[-1].rstrip(".,;: ") + "…"
    return font, size, lines


def draw(post: Post, settings: Settings) -> bytes:
    """The picture as PNG bytes."""
    title, byline, site_title = drawn_text(post, settings)
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, HEIGHT - 150, WIDTH, HEIGHT), fill=BAND)
    pen.text((MARGIN, 70), site_title.upper(), font=_font(30, bold=True), fill=SOFT)
    font, size, lines = _title_lines(pen, title)
    top = 140 + (4 - len(lines)) * size * 0.6 * 0.5
    for number, line in enumerate(lines):
        pen.text((MARGIN, top + number * size * 1.18), line, font=font, fill=TEXT)
    pen.text((MARGIN, HEIGHT - 100), byline, font=_font(36, bold=True), fill=TEXT)
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
