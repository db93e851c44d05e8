"""What SOURCE names: a Wix address, a folder of saved Wix pages, a WordPress export
(WXR), a Ghost export (JSON), or a zip of one with its images. Files are checked before
they are read: the size against IMPORT_MAX_MB, a zip's every entry name (no absolute
paths, no ``..``, no links: "zip slip") and its unpacked size, which the entries'
headers may lie about, so it is counted while unpacking too.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from blog.core.inputs import size_text
from blog.imports.fetching import ImportRefused

ZIP_MAX_ENTRIES = 50_000
SNIFF_BYTES = 4096


@dataclass
class Opened:
    kind: str  # "wix-site", "wix-folder", "wordpress" or "ghost"
    location: str  # the address, or the export file or folder read
    uploads: Path | None = None  # WordPress: a wp-content/uploads folder
    images: Path | None = None  # Ghost: a content/images folder


def open_source(
    source: str,
    workdir: Path,
    max_bytes: int,
    uploads: Path | None = None,
    images: Path | None = None,
) -> Opened:
    """Tell what ``source`` is; a zip is checked and unpacked into ``workdir``."""
    if source.startswith(("http://", "https://")):
        return Opened("wix-site", source.rstrip("/"))
    path = Path(source)
    if path.is_dir():
        return _folder(path, uploads, images)
    if not path.is_file():
        raise ImportRefused(f"{source}: no such file or folder.")
    check_size(path, max_bytes)
    head = path.open("rb").read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        folder = workdir / "unpacked"
        unpack_zip(path, folder, max_bytes)
        return _folder(folder, uploads, images, zipped=path.name)
    kind = sniff(head)
    if kind is None:
        raise ImportRefused(
            f"{path.name} is not a WordPress export (.xml), a Ghost export (.json) or a "
            "zip holding one."
        )
    return Opened(kind, str(path), uploads=uploads, images=images)


def check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportRefused(
            f"{path.name} is {size_text(size)}; files of up to {size_text(max_bytes)} are "
            "imported (IMPORT_MAX_MB). Nothing was imported."
        )


def sniff(head: bytes) -> str | None:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "wordpress"
    if text.startswith((b"{", b"[")):
        return "ghost"
    return None


def _folder(folder: Path, uploads: Path | None, images: Path | None, zipped: str = "") -> Opened:
    """A folder: an export with its images beside it, or saved Wix pages."""
    where = zipped or str(folder)
    exports = [p for p in sorted(folder.rglob("*")) if p.suffix.lower() in (".xml", ".json")]
    for export in exports:
        kind = sniff(export.open("rb").read(SNIFF_BYTES))
        if kind == "wordpress" and export.suffix.lower() == ".xml":
            found = uploads or _subfolder(folder, "uploads")
            return Opened("wordpress", str(export), uploads=found)
        if kind == "ghost" and export.suffix.lower() == ".json":
            found = images or _subfolder(folder, "images")
            return Opened("ghost", str(export), images=found)
    if any(folder.rglob("*.htm*")):
        return Opened("wix-folder", str(folder))
    raise ImportRefused(
        f"{where} holds no WordPress export (.xml), Ghost export (.json) or saved Wix pages "
        "(.html)."
    )


def _subfolder(folder: Path, name: str) -> Path | None:
    for candidate in sorted(folder.rglob(name)):
        if candidate.is_dir() and not candidate.is_symlink():
            return candidate
    return None


def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return True
    if len(name) > 1 and name[1] == ":":  # a Windows drive letter
        return True
    return ".." in PurePosixPath(name).parts


def unpack_zip(path: Path, target: Path, max_bytes: int) -> None:
    """Unpack a zip into ``target`` after checking every entry; refuse it whole if one
    entry would land outside, is a link, or the whole unpacks larger than ``max_bytes``."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ImportRefused(f"{path.name} is a damaged zip file. Nothing was imported.") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > ZIP_MAX_ENTRIES:
            raise ImportRefused(
                f"{path.name} holds {len(entries):,} files; at most {ZIP_MAX_ENTRIES:,} are read."
            )
        for entry in entries:
            mode = entry.external_attr >> 16
            if _unsafe_name(entry.filename) or stat.S_ISLNK(mode):
                raise ImportRefused(
                    f"{path.name} is refused: its entry “{entry.filename[:200]}” would be "
                    "written outside the folder it is unpacked into (a “zip slip”). Nothing "
                    "was imported."
                )
        declared = sum(entry.file_size for entry in entries)
        if declared > max_bytes:
            raise ImportRefused(_too_large(path.name, max_bytes))
        written = 0
        target.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            destination = target / entry.filename
            if entry.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(entry) as source, destination.open("wb") as out:
                    while chunk := source.read(64 * 1024):
                        written += len(chunk)
                        if written > max_bytes:
                            raise ImportRefused(_too_large(path.name, max_bytes))
                        out.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
                raise ImportRefused(
                    f"{path.name} is a damaged zip file ({entry.filename[:200]} cannot be "
                    "read). Nothing was imported."
                ) from None


def _too_large(name: str, max_bytes: int) -> str:
    return (
        f"{name} unpacks to more than {size_text(max_bytes)} (IMPORT_MAX_MB). Nothing was imported."
    )


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
