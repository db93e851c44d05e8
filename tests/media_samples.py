"""Images crafted with Pillow for the media tests, and an upload helper."""

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825


def image_bytes(size=(640, 480), fmt="JPEG", color=(200, 40, 40), mode="RGB", **save) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def two_tone_jpeg(size=(200, 100), orientation: int | None = None) -> bytes:
    """Left half red, right half blue; optionally an EXIF Orientation tag."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def gps_jpeg(size=(800, 600)) -> bytes:
    """A phone photo's metadata: camera, GPS position of a clinic, a comment, XMP."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModel X"  # Model
    exif[GPS_IFD] = {
        1: "N",
        2: (51.0, 30.0, 26.0),
        3: "W",
        4: (0.0, 7.0, 39.0),
    }
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b"<rdf:Description>secret-clinic-location</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(
        buffer, "JPEG", exif=exif.tobytes(), comment=b"secret-comment", xmp=xmp
    )
    return buffer.getvalue()


def bomb_png(width=20000, height=20000) -> bytes:
    """A tiny PNG (1-bit, all zero) that claims width x height pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def upload(client, data: bytes, filename="photo.jpg", alt="A blood pressure cuff", **kwargs):
    content_type = kwargs.pop("content_type", "image/jpeg")
    form = {"file": (io.BytesIO(data), filename, content_type), **kwargs.pop("fields", {})}
    if alt is not None:
        form["alt"] = alt
    kwargs.setdefault("headers", {"Accept": "application/json"})  # as the editor's script
    return client.post("/admin/media", data=form, **kwargs)


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
