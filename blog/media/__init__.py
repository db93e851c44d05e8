"""Images: upload (JSON for the editor, a plain form in the library), library, serving."""

from flask import Blueprint

from blog import images

bp = Blueprint("media", __name__)


@bp.app_template_global("media_url")
def media_url(media, width: int | None = None) -> str:
    """Path of an image's largest JPEG/PNG variant (not wider than ``width``), e.g. og:image."""
    return images.media_path(media, width)


@bp.app_template_global("image_sizes")
def image_sizes(place: str) -> str:
    """The `sizes` attribute for an image shown in ``place`` (body, card, library)."""
    return images.SIZES[place]


@bp.app_template_global("media_attributes")
def media_attributes(media, sizes: str) -> dict[str, str]:
    return images.image_attributes(media, sizes)


@bp.app_template_filter("filesize")
def filesize(count: int) -> str:
    """Bytes as a reader would say them: 820 bytes, 24 KB, 3.1 MB."""
    if count < 1024:
        return f"{count} bytes"
    if count < 1024 * 1024:
        return f"{round(count / 1024)} KB"
    return f"{count / (1024 * 1024):.1f} MB"


from blog.media import views  # noqa: E402,F401
