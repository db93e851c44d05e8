"""Uploaded images: decode safely, strip metadata, make responsive variants, store them.

An upload is trusted for nothing: its bytes are decoded by Pillow (only JPEG, PNG, WebP
and GIF are tried, whatever the file name or Content-Type claims), fully loaded to catch
truncation, checked against a pixel limit, rotated by its EXIF orientation and then
re-encoded from bare pixels, so no EXIF, GPS, XMP, ICC or comment block survives.

Each image is stored as ``<name>-<width>.webp`` plus a fallback, ``<name>-<width>.jpg``
(``.png`` for transparency and for PNG/GIF sources), at widths 480, 960 and 1600 px that
are smaller than the original, and at the original width capped at 1600 px: never
upscaled.
``name`` is the first 20 hex digits of the SHA-256 of the uploaded bytes, so a file's
URL never changes and can be cached for a year. The original file name is kept only as a
label.

Animated GIFs keep their first frame, stored like any other still image (PNG fallback):
a post is read, not watched, and resizing every frame is heavy for a small server.

Memory stays bounded on a small server: an image is decoded no larger than its largest
variant needs (a JPEG by its own decoder at 1/2, 1/4 or 1/8 scale; other formats whole,
then reduced by a whole factor a band of rows at a time, so no second full-size copy is
ever made), everything else works on that smaller image, and the variants are made one at
a time from the largest down, each freed once written. A 40-megapixel upload peaks under
300 MB in the worker (``make bench-upload``).

Pillow is imported by the functions that decode, convert and encode: a worker that only
serves readers (file names, paths, ``srcset``) never loads it.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import io
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from blog.core.database import CannotWrite, begin_write, refuses_writes
from blog.extensions import db
from blog.models import Author, Media, Post, Settings

if TYPE_CHECKING:
    from PIL import Image

WIDTHS = (480, 960, 1600)
WEBP_MAX_SIDE = 16_383
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
NAME_LENGTH = 20
FALLBACK_EXTENSIONS = {"jpeg": "jpg", "png": "png"}
MIME_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


def _column_sizes(rem: int) -> str:
    """`sizes` for a column ``rem`` wide, less the page margins (1rem a side on phones,
    1.5rem above 37.5rem; see site.css)."""
    return (
        "(max-width: 37.5rem) calc(100vw - 2rem), "
        f"(max-width: {rem + 3}rem) calc(100vw - 3rem), {rem}rem"
    )


# Where images are shown: the text column (46rem), cards (at most the 52rem listing
# column), library thumbnails.
SIZES = {
    "body": _column_sizes(46),
    "card": _column_sizes(52),
    "library": "(max-width: 40rem) calc(100vw - 2rem), 22rem",
}
BODY_SIZES = SIZES["body"]

FILE_RE = re.compile(r"^([0-9a-f]{20})-(\d{1,5})\.(webp|jpg|png)$")
SRC_SEARCH = re.compile(r"/media/([0-9a-f]{20})-\d{1,5}\.(?:webp|jpg|png)")
URL_RE = re.compile(r"/media/([0-9a-f]{20})-\d{1,5}\.(?:webp|jpg|png)")


class ImageRejected(ValueError):
    """The upload is not an image this site accepts; the message says why, for the author."""


@dataclass
class Processed:
    """An accepted image: bare pixels oriented upright, ready to be resized and saved."""

    image: Image.Image | None  # None once write_variants has used it up
    fallback: str  # "jpeg" or "png"
    digest: str


# -- Decoding -----------------------------------------------------------------------------

ORIENTATION = 0x0112
# EXIF orientation -> the transposition (Image.Transpose) that turns the pixels upright.
UPRIGHT = {
    2: "FLIP_LEFT_RIGHT",
    3: "ROTATE_180",
    4: "FLIP_TOP_BOTTOM",
    5: "TRANSPOSE",
    6: "ROTATE_270",
    7: "TRANSVERSE",
    8: "ROTATE_90",
}
TURNED = (5, 6, 7, 8)  # orientations that swap width and height
# Modes reduced as they are; any other is converted first (a band at a time).
REDUCIBLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")
BAND_PIXELS = 1_000_000  # pixels converted and reduced at a time


def decode(data: bytes, max_pixels: int) -> Processed:
    """Decode an upload, refusing anything that is not a whole, reasonably sized image;
    its pixels upright, no larger than the largest variant needs."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageRejected("The file is empty.")
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                _check_pixels(probe, max_pixels)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
                image.seek(0)
                orientation = image.getexif().get(ORIENTATION, 1)
                upright = image.size[::-1] if orientation in TURNED else image.size
                _check_shape(*upright)
                needed = _needed_size(image.size, upright)
                if image.format == "JPEG":
                    image.draft(None, needed)  # the decoder scales by 1/2, 1/4 or 1/8
                image.load()
                lossless = image.format in ("PNG", "GIF")
                icc = image.info.get("icc_profile")
                pixels = _reduced(image, needed)
                if pixels is not image:
                    image.close()  # frees the full-size pixels now, not when decode returns
                if pixels.size != needed:  # the largest variant's size, before turning
                    pixels = pixels.resize(needed, Image.Resampling.LANCZOS)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_too_many_pixels(max_pixels)) from None
    except UnidentifiedImageError:
        raise ImageRejected(
            "This file is not a JPEG, PNG, WebP or GIF image (SVG and other formats are "
            "not accepted). Save it as JPEG or PNG and try again."
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageRejected(
            "This image is damaged or incomplete and could not be read. Export it again and retry."
        ) from None
    digest = hashlib.sha256(data).hexdigest()[:NAME_LENGTH]
    # One name for the pixels at each step, so each step's input is freed as it ends.
    if orientation in UPRIGHT:
        pixels = pixels.transpose(Image.Transpose[UPRIGHT[orientation]])
    pixels = _to_srgb(pixels, icc)
    pixels, fallback = normalise(pixels, lossless)
    return Processed(image=pixels, fallback=fallback, digest=digest)


def _needed_size(size: tuple[int, int], upright: tuple[int, int]) -> tuple[int, int]:
    """The stored pixels' size that gives the largest variant once turned upright."""
    scale = min(1.0, WIDTHS[-1] / upright[0])
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _working_mode(image: Image.Image) -> str:
    """The mode to reduce in: the image's own where Pillow can, RGBA for any transparency
    (a palette's, or a transparent colour in an RGB or grey PNG)."""
    if image.mode in ("PA", "La", "RGBa") or "transparency" in image.info:
        return "RGBA"
    if image.mode in REDUCIBLE_MODES:
        return image.mode
    return "L" if image.mode == "1" else "RGB"


def _reduced(image: Image.Image, needed: tuple[int, int]) -> Image.Image:
    """The image in a mode Pillow can reduce, shrunk by the largest whole factor that
    leaves at least ``needed`` (as a JPEG's decoder does), a band of rows at a time: the
    full-size image is never copied or converted whole (Pillow's own reduce() of an image
    with alpha makes a premultiplied copy of all of it first)."""
    from PIL import Image

    factor = max(1, min(image.width // needed[0], image.height // needed[1]))
    mode = _working_mode(image)
    if factor == 1 and mode == image.mode:
        return image
    rows = max(factor, BAND_PIXELS // image.width // factor * factor)
    out = Image.new(mode, (math.ceil(image.width / factor), math.ceil(image.height / factor)))
    for top in range(0, image.height, rows):
        band = image.crop((0, top, image.width, min(top + rows, image.height)))
        if band.mode != mode:
            band = band.convert(mode)
        out.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return out


def _check_shape(width: int, height: int) -> None:
    """WebP holds at most 16,383 pixels a side: refuse, before decoding, an upright image
    whose largest variant would be taller (a very long screenshot, say)."""
    if height * min(width, WIDTHS[-1]) / width > WEBP_MAX_SIDE:
        raise ImageRejected(
            f"This image is too tall for the web ({width:,} × {height:,} pixels). "
            "Crop it or split it into several images, then try again."
        )


def _check_pixels(image: Image.Image, max_pixels: int) -> None:
    if image.width * image.height > max_pixels:
        raise ImageRejected(_too_many_pixels(max_pixels))


def _too_many_pixels(max_pixels: int) -> str:
    megapixels = max_pixels / 1_000_000
    return (
        f"This image has too many pixels (the limit is {megapixels:g} megapixels). "
        "Resize it and try again."
    )


def normalise(image: Image.Image, lossless: bool = False) -> tuple[Image.Image, str]:
    """Upright sRGB pixels as RGB or RGBA with no metadata, and the fallback format that
    suits them. Transparency needs PNG; a lossless source (PNG, GIF: often a chart or a
    screenshot) also keeps PNG, where JPEG would blur its lines; photos get JPEG."""
    if _has_transparency(image):
        mode, fallback = "RGBA", "png"
    else:
        mode, fallback = "RGB", "png" if lossless else "jpeg"
    bare = image if image.mode == mode else image.convert(mode)
    bare.info = {}
    return bare, fallback


@cache
def _srgb():
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert colours from an embedded ICC profile (e.g. a phone's Display P3) to sRGB."""
    from PIL import ImageCms

    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _srgb(), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are
    return converted or image


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("LA", "PA", "La"):
        image = image.convert("RGBA")
    if image.mode != "RGBA":
        return False
    lowest, _ = image.getchannel("A").getextrema()
    return lowest < 255


# -- Variants and storage -------------------------------------------------------------------


def variant_widths(width: int) -> list[int]:
    """The widths to make: the standard ones below the original, and the original (≤1600)."""
    widths = {w for w in WIDTHS if w < width}
    widths.add(min(width, WIDTHS[-1]))
    return sorted(widths)


def fallback_extension(media_format: str) -> str:
    return FALLBACK_EXTENSIONS.get(media_format, "jpg")


def file_name(name: str, width: int, extension: str) -> str:
    return f"{name}-{width}.{extension}"


def encode(image: Image.Image, extension: str) -> bytes:
    """Encode bare pixels; no exif=, icc_profile= or comment is ever passed."""
    buffer = io.BytesIO()
    image.info = {}
    if extension == "webp":
        image.save(buffer, "WEBP", quality=80, method=4)
    elif extension == "png":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def resized(image: Image.Image, width: int) -> Image.Image:
    from PIL import Image

    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def write_variants(processed: Processed, media_dir: str) -> tuple[list[int], int, int]:
    """Write every variant, the largest first, each made from the one before and freed
    once the next is made; return the widths and the largest variant's size in pixels.
    A disk that refuses the files (full, read-only) raises CannotWrite."""
    folder = Path(media_dir)
    extension = fallback_extension(processed.fallback)
    widths = variant_widths(processed.image.width)
    image, processed.image = processed.image, None  # this function's to free as it goes
    largest = None
    with _media_writes():
        folder.mkdir(parents=True, exist_ok=True)
        for width in reversed(widths):
            image = resized(image, width)
            largest = largest or image.size
            for ext in ("webp", extension):
                path = folder / file_name(processed.digest, width, ext)
                _write_atomic(path, encode(image, ext))
    return widths, *largest


@contextlib.contextmanager
def _media_writes():
    """A disk that refuses the files (full, read-only) raises CannotWrite."""
    try:
        yield
    except OSError as error:
        if refuses_writes(error):
            raise CannotWrite(f"media files: {error}") from error
        raise


def _write_atomic(path: Path, data: bytes) -> None:
    write_media_file(path, io.BytesIO(data))


def write_media_file(path: Path, source: BinaryIO) -> None:
    """Write a media file whole or not at all (readers never see half a file), readable
    by the web server."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            shutil.copyfileobj(source, stream)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


_one_image_at_a_time = threading.Lock()


def store_upload(
    data: bytes, original_name: str, alt: str, media_dir: str, max_pixels: int
) -> Media:
    """Decode, re-encode and store an upload; the same bytes again give the same row.

    The slow part (decoding, resizing, encoding, writing content-named files) runs before
    the write transaction starts, so other writers are not kept waiting, and one upload at
    a time in a worker process, so two at once don't double its memory. Adds the Media row
    to the session; the caller commits.
    """
    with _one_image_at_a_time:
        processed = decode(data, max_pixels)
        existing = find_media(processed.digest)
        if existing is not None and all_files_exist(existing, media_dir):
            return existing
        widths, width, height = write_variants(processed, media_dir)
        release_memory()
    begin_write()
    media = find_media(processed.digest) or Media(name=processed.digest, alt=alt)
    media.original_name = clean_label(original_name)
    media.width, media.height = width, height
    media.format = processed.fallback
    media.variant_widths = widths
    media.byte_size = len(data)
    db.session.add(media)
    return media


# A favicon's sizes: the browser tab's, and the home-screen icon phones ask for.
ICON_SIZES = (32, 180)


def store_icons(data: bytes, media_dir: str, max_pixels: int) -> str:
    """Make a favicon from an upload: decoded as any image is, cropped to its centre
    square, stored as <name>-32.png and <name>-180.png (``name`` from the icon's own
    bytes, so its URL changes when it does); return the name."""
    from PIL import Image

    with _one_image_at_a_time:
        image = decode(data, max_pixels).image
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        square = image.crop((left, top, left + side, top + side))
        icons = {
            size: encode(square.resize((size, size), Image.Resampling.LANCZOS), "png")
            for size in ICON_SIZES
        }
    name = hashlib.sha256(icons[ICON_SIZES[-1]]).hexdigest()[:NAME_LENGTH]
    with _media_writes():
        Path(media_dir).mkdir(parents=True, exist_ok=True)
        for size, png in icons.items():
            _write_atomic(Path(media_dir) / file_name(name, size, "png"), png)
    return name


def icon_path(name: str, size: int) -> str:
    return "/media/" + file_name(name, size, "png")


def release_memory() -> None:
    """Give freed memory back to the system. glibc keeps what a large decode freed on its
    heap, and a worker would otherwise hold its largest upload's size for the rest of its
    life; elsewhere (musl, macOS) nothing happens."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def find_media(name: str) -> Media | None:
    return db.session.scalar(select(Media).where(Media.name == name))


def clean_label(filename: str) -> str:
    """The uploaded file's name as a label only: no folders, no control characters."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or "image"


# -- Files of a stored image -------------------------------------------------------------------


def media_files(media: Media) -> list[str]:
    """Every file name stored for ``media``, fallback and WebP, smallest first."""
    extension = fallback_extension(media.format)
    return [
        file_name(media.name, width, ext)
        for width in media.variant_widths
        for ext in ("webp", extension)
    ]


def all_files_exist(media: Media, media_dir: str) -> bool:
    return all((Path(media_dir) / name).is_file() for name in media_files(media))


def delete_files(media: Media, media_dir: str) -> None:
    for name in media_files(media):
        (Path(media_dir) / name).unlink(missing_ok=True)


def file_sizes(media: Media, media_dir: str) -> list[tuple[str, int]]:
    """(file name, bytes) for each stored file that exists on disk."""
    sizes = []
    for name in media_files(media):
        path = Path(media_dir) / name
        if path.is_file():
            sizes.append((name, path.stat().st_size))
    return sizes


def is_media_file_name(filename: str) -> bool:
    return FILE_RE.fullmatch(filename) is not None


# -- URLs and markup ---------------------------------------------------------------------------


def media_path(media: Media, width: int | None = None, extension: str | None = None) -> str:
    """The path of a stored variant: the largest not wider than ``width`` (fallback format)."""
    widths = media.variant_widths or [media.width]
    fitting = [w for w in widths if width is None or w <= width] or widths[:1]
    extension = extension or fallback_extension(media.format)
    return "/media/" + file_name(media.name, max(fitting), extension)


def srcset(media: Media, extension: str) -> str:
    return ", ".join(
        f"{media_path(media, width, extension)} {width}w" for width in media.variant_widths
    )


def markdown_for(media: Media, alt: str, caption: str = "") -> str:
    """The Markdown the editor inserts: the largest fallback, which readers never need,
    with the caption as the image's title (an image alone in its paragraph becomes a
    figure, captioned by its title)."""
    safe_alt = " ".join(alt.split()).replace("[", "(").replace("]", ")")
    title = " ".join(caption.split()).replace("\\", "\\\\").replace('"', '\\"')
    if not title:
        return f"![{safe_alt}]({media_path(media)})"
    return f'![{safe_alt}]({media_path(media)} "{title}")'


def image_attributes(media: Media, sizes: str = BODY_SIZES) -> dict[str, str]:
    """<img> attributes for a stored image, with ``webp-srcset`` for a <picture> source."""
    return {
        "src": media_path(media),
        "width": str(media.width),
        "height": str(media.height),
        "srcset": srcset(media, fallback_extension(media.format)),
        "sizes": sizes,
        "webp-srcset": srcset(media, "webp"),
    }


def media_for(markdown: str) -> dict[str, dict[str, str]]:
    """The content pipeline's lookup table: responsive attributes for every uploaded
    image's src in ``markdown`` (looked up here, so rendering needs no database)."""
    sources = {match.group(0): match.group(1) for match in SRC_SEARCH.finditer(markdown or "")}
    if not sources:
        return {}
    rows = db.session.scalars(select(Media).where(Media.name.in_(set(sources.values()))))
    found = {media.name: image_attributes(media) for media in rows}
    return {src: found[name] for src, name in sources.items() if name in found}


# -- Where images are used ---------------------------------------------------------------------


def shown_in(html: str) -> list[Media]:
    """The uploaded images a post's rendered HTML shows or links to (recorded on save)."""
    names = set(URL_RE.findall(html))
    if not names:
        return []
    return list(db.session.scalars(select(Media).where(Media.name.in_(names))))


def shown_as(media_items: Iterable[Media]) -> dict[int, list[str]]:
    """For each image, what else the site shows it as: the author's photo, the logo."""
    found: dict[int, list[str]] = {media.id: [] for media in media_items}
    ids = list(found)
    for column, role in (
        (Author.headshot_media_id, "the author's photo"),
        (Settings.logo_media_id, "the site's logo"),
    ):
        for media_id in db.session.scalars(select(column).where(column.in_(ids))):
            found[media_id].append(role)
    return found


def usage(media_items: Iterable[Media]) -> dict[int, list[Post]]:
    """For each image, the posts (any status, trash included) whose text or cover use it."""
    found: dict[int, list[Post]] = {media.id: [] for media in media_items}
    ids = list(found)
    posts = db.session.scalars(
        select(Post)
        .where(or_(Post.cover_media_id.in_(ids), Post.media.any(Media.id.in_(ids))))
        .options(selectinload(Post.media))
        .order_by(Post.title)
    )
    for post in posts:
        for media_id in {post.cover_media_id, *(media.id for media in post.media)}:
            if media_id in found:
                found[media_id].append(post)
    return found
