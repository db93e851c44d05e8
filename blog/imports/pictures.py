"""The images of an import: found in the posts, covers and attachments, downloaded (or
read from a folder given beside the export) into a working folder before anything is
written, then stored through the upload pipeline (decoded, re-encoded without metadata,
resized) like any image the author uploads. An image imported before is not downloaded
again: its import item names the stored Media row.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from blog.core.database import begin_write
from blog.extensions import db
from blog.imports.fetching import Fetcher, Unavailable, read_capped
from blog.imports.items import item_for
from blog.imports.sources import ImageRef, Source, item_id
from blog.models import ImportItem, ImportKind, Media
from blog.posts import images as uploads

# An image this small is a tracking pixel, not a picture.
PIXEL_SIDE = 2


@dataclass
class Picture:
    url: str
    alt: str = ""
    media: Media | None = None  # stored (now or by an earlier import)
    staged: Path | None = None  # downloaded, waiting to be stored
    problem: str = ""  # why it is left out

    @property
    def name(self) -> str:
        return unquote(urlsplit(self.url).path.rsplit("/", 1)[-1]) or "image"


class Pictures:
    """Every image of one import, by the address of its original."""

    def __init__(self, source: Source, workdir: Path):
        self.source = source
        self.workdir = workdir
        self.by_url: dict[str, Picture] = {}

    def add(self, image: ImageRef) -> None:
        known = self.by_url.get(image.url)
        if known is None:
            self.by_url[image.url] = Picture(url=image.url, alt=image.alt)
        elif not known.alt:
            known.alt = image.alt

    def __len__(self) -> int:
        return len(self.by_url)

    def path(self, url: str, dry_run: bool = False) -> str | None:
        """The new address of an image shown at ``url``, or None when it is left out."""
        picture = self.by_url.get(url)
        if picture is None or picture.problem:
            return None
        if picture.media is not None:
            return uploads.media_path(picture.media)
        return f"/media/{picture.name}" if dry_run and picture.staged else None

    def media(self, url: str | None) -> Media | None:
        picture = self.by_url.get(url or "")
        return picture.media if picture is not None else None

    def find_imported(self) -> None:
        """Pictures stored by an earlier import of this source (files still on disk)."""
        keys = {item_id(url): picture for url, picture in self.by_url.items()}
        for chunk in _chunks(list(keys), 500):
            rows = db.session.execute(
                select(ImportItem.original_id, Media)
                .join(Media, Media.id == ImportItem.media_id)
                .where(
                    ImportItem.source == self.source.key,
                    ImportItem.kind == ImportKind.IMAGE,
                    ImportItem.original_id.in_(chunk),
                )
            )
            for original_id, media in rows:
                keys[original_id].media = media

    def fetch(self, fetcher: Fetcher, max_bytes: int, step) -> list[Picture]:
        """Stage every picture not stored yet; ImportRefused stops it all (a private
        address), any other failure leaves that picture out with its reason."""
        media_dir = self.workdir / "images"
        media_dir.mkdir(parents=True, exist_ok=True)
        waiting = [p for p in self.by_url.values() if p.media is None]
        for number, picture in enumerate(waiting, start=1):
            step(picture.name)
            try:
                data = self._bytes(picture, fetcher, max_bytes)
            except Unavailable as problem:
                picture.problem = str(problem)
                continue
            picture.staged = media_dir / f"{number}"
            picture.staged.write_bytes(data)
        return [picture for picture in waiting if picture.problem]

    def _bytes(self, picture: Picture, fetcher: Fetcher, max_bytes: int) -> bytes:
        local = self.source.find_local(picture.url)
        if local is not None:
            return read_capped(local, max_bytes, picture.url)
        host = (urlsplit(picture.url).hostname or "").lower()
        if host in self.source.offline_hosts or urlsplit(picture.url).scheme == "file":
            raise Unavailable(f"{picture.name}: {self.source.offline_hint or 'not found'}")
        return fetcher.get(picture.url, max_bytes).body

    def check(self, max_pixels: int) -> None:
        """Dry run: decode each staged picture as storing it would, without writing."""
        for picture in self.by_url.values():
            if picture.staged is None or picture.problem:
                continue
            data = picture.staged.read_bytes()
            problem = _pixel_problem(data)
            if problem is None:
                try:
                    uploads.decode(data, max_pixels)
                except uploads.ImageRejected as rejected:
                    problem = str(rejected)
            picture.problem = f"{picture.name}: {problem}" if problem else ""

    def store(self, media_dir: str, max_pixels: int, step) -> int:
        """Store the staged pictures, each in its own short write; the number stored."""
        stored = 0
        for picture in self.by_url.values():
            if picture.staged is None or picture.problem:
                continue
            step(picture.name)
            data = picture.staged.read_bytes()
            problem = _pixel_problem(data)
            if problem is not None:
                picture.problem = f"{picture.name}: {problem}"
                continue
            try:
                media = uploads.store_upload(data, picture.name, picture.alt, media_dir, max_pixels)
            except uploads.ImageRejected as rejected:
                db.session.rollback()
                picture.problem = f"{picture.name}: {rejected}"
                continue
            begin_write()  # commits the new Media row; the item is written as a writer
            _remember(self.source.key, picture.url, media)
            db.session.commit()
            picture.media = media
            picture.staged.unlink(missing_ok=True)
            picture.staged = None
            stored += 1
        return stored


def _remember(source_key: str, url: str, media: Media) -> None:
    item_for(source_key, ImportKind.IMAGE, url).media_id = media.id


def _pixel_problem(data: bytes) -> str | None:
    """Refuse a tracking pixel before it is stored (the header alone says its size)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None  # decoding says what is wrong with it
    if width <= PIXEL_SIDE and height <= PIXEL_SIDE:
        return f"a {width}×{height} pixel image (a tracking pixel), left out"
    return None


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
