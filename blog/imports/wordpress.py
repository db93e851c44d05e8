"""A WordPress export file (WXR, "Tools → Export"): posts and pages, drafts as drafts,
categories and tags as tags, approved comments with their threads, featured images, image
attachments, and the old addresses (/YYYY/MM/DD/slug/, /?p=ID, the permalink).

The file is read by defusedxml, streaming: a document type or an entity declaration (the
"billion laughs" entity bomb, external entities) is refused before any of it expands.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree

from blog.imports.convert import autop
from blog.imports.fetching import ImportRefused
from blog.imports.sources import (
    ImageRef,
    Source,
    SourceComment,
    SourcePost,
    inside,
    old_path,
    parse_time,
)
from blog.models import PostStatus

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
STATUSES = {
    "publish": PostStatus.PUBLISHED,
    "future": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
    "pending": PostStatus.DRAFT,
    "private": PostStatus.DRAFT,
}
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
VIEW_KEYS = ("post_views_count", "views")
SIZED = re.compile(r"-\d{2,5}x\d{2,5}(?=\.[A-Za-z]{3,4}$)")
SHORTCODE = re.compile(
    r"\[(/?)([a-z][\w-]*)((?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))*)\s*/?\]", re.IGNORECASE
)
# Shortcodes that take no attributes: anything else in brackets ("[sic]") is text.
BARE_SHORTCODES = {"gallery", "audio", "playlist", "contact-form", "contact-form-7", "wpforms"}
UPLOADS = "/wp-content/uploads/"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _wp(element: Element, name: str) -> str:
    """The text of a wp:<name> child, whatever the WXR version's namespace."""
    for child in element:
        if child.tag.startswith("{http://wordpress.org/export/") and _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _text(element: Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _children(element: Element, name: str) -> list[Element]:
    return [
        child
        for child in element
        if child.tag.startswith("{http://wordpress.org/export/") and _local(child.tag) == name
    ]


def read(path: Path, uploads: Path | None) -> Source:
    """Read the export; ImportRefused when it is not a whole, harmless WXR file."""
    channel: dict[str, str] = {}
    authors: set[str] = set()
    items: list[Element] = []
    try:
        for _event, element in SafeTree.iterparse(str(path), events=("end",), forbid_dtd=True):
            name = _local(element.tag)
            if name == "item":
                items.append(element)
            elif name == "author" and element.tag.startswith("{http://wordpress.org/export/"):
                authors.add(_wp(element, "author_id"))
            elif name in ("base_site_url", "base_blog_url") or element.tag in ("link", "title"):
                channel.setdefault(name, (element.text or "").strip())
    except (defusedxml.DTDForbidden, defusedxml.EntitiesForbidden) as refused:
        raise ImportRefused(
            f"{path.name} declares a document type or XML entities, which WordPress "
            "exports never do (it could be an “entity bomb” that expands without end). "
            "Nothing was imported."
        ) from refused
    except defusedxml.DefusedXmlException as refused:
        raise ImportRefused(
            f"{path.name} refers to external files, which WordPress exports never do. "
            "Nothing was imported."
        ) from refused
    except ParseError as error:
        line, column = error.position
        raise ImportRefused(
            f"{path.name} is not a complete XML file (line {line}, column {column + 1}: "
            f"{str(error).split(':')[0]}). Export it again from WordPress "
            "(Tools → Export). Nothing was imported."
        ) from None
    if not channel.get("base_site_url") and not any(_wp(item, "post_type") for item in items):
        raise ImportRefused(
            f"{path.name} is XML but not a WordPress export (WXR). Export it again from "
            "WordPress (Tools → Export). Nothing was imported."
        )
    return _source(path, channel, authors, items, uploads)


def _source(
    path: Path, channel: dict, authors: set[str], items: list[Element], uploads: Path | None
) -> Source:
    site = channel.get("base_blog_url") or channel.get("link") or channel.get("base_site_url", "")
    host = (urlsplit(site).hostname or path.stem).lower()
    source = Source(key=f"wordpress:{host}", kind="WordPress", label=path.name)
    source.hosts = {
        (urlsplit(url).hostname or "").lower() for url in channel.values() if "://" in url
    } - {""}
    attachments = {}
    for item in items:
        if _wp(item, "post_type") == "attachment":
            attachments[_wp(item, "post_id")] = item
    attachment_paths = {
        urlsplit(_wp(item, "attachment_url")).path: _wp(item, "attachment_url")
        for item in attachments.values()
    }

    def original_image(url: str) -> str:
        parts = urlsplit(url)
        unsized = SIZED.sub("", parts.path)
        if unsized != parts.path and unsized in attachment_paths:
            return parts._replace(path=unsized).geturl()
        return url

    source.original_image = original_image
    if uploads is not None:
        source.find_local = lambda url: _uploaded_file(uploads, url)
    skipped = {"pending": 0, "spam": 0, "pings": 0}
    for item in items:
        kind = _wp(item, "post_type")
        if kind in ("post", "page"):
            post = _post(item, kind, attachments, authors, source, skipped)
            if post is not None:
                source.posts.append(post)
    for item in attachments.values():
        url = _wp(item, "attachment_url")
        mime = _wp(item, "post_mime_type")
        if mime in IMAGE_TYPES or urlsplit(url).path.lower().endswith(
            (".jpg", ".jpeg", ".png", ".gif", ".webp")
        ):
            source.attachments.append(
                ImageRef(url=url, alt=_meta(item, "_wp_attachment_image_alt"))
            )
        elif url:
            source.warnings.append(
                f"{unquote(urlsplit(url).path.rsplit('/', 1)[-1])}: only images are imported "
                f"({mime or 'not an image'}); link to it from its old address or upload it "
                "elsewhere."
            )
    if skipped["pending"] or skipped["spam"]:
        source.warnings.append(
            f"Left out {skipped['pending']} comments waiting for moderation and "
            f"{skipped['spam']} marked as spam or deleted; only approved comments are imported."
        )
    if skipped["pings"]:
        source.warnings.append(f"Left out {skipped['pings']} pingbacks and trackbacks.")
    return source


def _uploaded_file(uploads: Path, url: str) -> Path | None:
    path = urlsplit(url).path
    if UPLOADS not in path:
        return None
    return inside(uploads, path.split(UPLOADS, 1)[1])


def _meta(item: Element, key: str) -> str:
    for meta in _children(item, "postmeta"):
        if _wp(meta, "meta_key") == key:
            return _wp(meta, "meta_value")
    return ""


def _post(
    item: Element,
    kind: str,
    attachments: dict,
    authors: set[str],
    source: Source,
    skipped: dict,
) -> SourcePost | None:
    title = _text(item, "title")
    wp_status = _wp(item, "status")
    post_id = _wp(item, "post_id")
    label = f"“{title or 'untitled'}”"
    if wp_status not in STATUSES:
        if wp_status not in ("auto-draft", "trash", "inherit"):
            source.warnings.append(f"{label}: left out (its status is “{wp_status}”).")
        return None
    status = STATUSES[wp_status]
    if wp_status == "private":
        source.warnings.append(f"{label} was private on WordPress: imported as a draft.")
    if _wp(item, "post_password"):
        status = PostStatus.DRAFT
        source.warnings.append(f"{label} was password-protected on WordPress: imported as a draft.")
    published = parse_time(_wp(item, "post_date_gmt")) or parse_time(_wp(item, "post_date"))
    local_date = _wp(item, "post_date")
    slug = unquote(_wp(item, "post_name")) or title
    link = _text(item, "link")
    html = autop(_shortcodes(_text(item, CONTENT), label, source))
    post = SourcePost(
        original_id=post_id,
        kind=kind,
        title=title or "Untitled",
        slug=slug,
        html=html,
        base_url=link or source.label,
        status=status,
        published_at=published if status != PostStatus.DRAFT else None,
        updated_at=parse_time(_wp(item, "post_modified_gmt")),
        excerpt=_excerpt(item),
        meta_description=_meta(item, "_yoast_wpseo_metadesc"),
        featured=_wp(item, "is_sticky") == "1",
        author_name=_text(item, DC_CREATOR),
    )
    for category in item.findall("category"):
        name = " ".join((category.text or "").split())
        if category.get("domain") in ("category", "post_tag") and name:
            if category.get("nicename") != "uncategorized":
                post.tags.append(name)
    for key in VIEW_KEYS:
        value = _meta(item, key)
        if value.isdigit():
            post.view_count = int(value)
            break
    thumbnail = attachments.get(_meta(item, "_thumbnail_id"))
    if thumbnail is not None:
        post.cover_url = _wp(thumbnail, "attachment_url")
        post.cover_alt = _meta(thumbnail, "_wp_attachment_image_alt")
    if status != PostStatus.DRAFT:
        post.old_paths = _old_paths(kind, post_id, link, slug, local_date)
    post.comments = _comments(item, authors, skipped)
    return post


def _excerpt(item: Element) -> str:
    for child in item:
        if child.tag.startswith("{http://wordpress.org/export/") and child.tag.endswith(
            "/excerpt/}encoded"
        ):
            return " ".join((child.text or "").split())
    return ""


def _old_paths(kind: str, post_id: str, link: str, slug: str, local_date: str) -> list[str]:
    paths = [f"/?{'page_id' if kind == 'page' else 'p'}={post_id}"]
    if link:
        paths.append(old_path(link))
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", local_date)
    if kind == "post" and match and slug:
        year, month, day = match.groups()
        paths.append(old_path(f"/{year}/{month}/{day}/{slug}/"))
    return list(dict.fromkeys(paths))


def _comments(item: Element, authors: set[str], skipped: dict) -> list[SourceComment]:
    comments = []
    for element in _children(item, "comment"):
        approved = _wp(element, "comment_approved")
        kind = _wp(element, "comment_type")
        if kind in ("pingback", "trackback"):
            skipped["pings"] += 1
            continue
        if approved != "1":
            skipped["pending" if approved == "0" else "spam"] += 1
            continue
        parent = _wp(element, "comment_parent")
        user = _wp(element, "comment_user_id")
        comments.append(
            SourceComment(
                original_id=_wp(element, "comment_id"),
                parent_id=parent if parent not in ("", "0") else None,
                name=_wp(element, "comment_author") or "Reader",
                email=_wp(element, "comment_author_email") or None,
                html=autop(_wp(element, "comment_content")),
                created_at=parse_time(_wp(element, "comment_date_gmt"))
                or parse_time(_wp(element, "comment_date")),
                by_author=user not in ("", "0") and user in authors,
            )
        )
    return comments


def _shortcodes(html: str, label: str, source: Source) -> str:
    """WordPress shortcodes: [caption] becomes a figure, [embed] and [youtube] a video
    link; the rest are left out with a warning (their content stays)."""
    html = re.sub(
        r"\[caption[^\]]*\](.*?)\[/caption\]",
        _caption,
        html,
        flags=re.IGNORECASE | re.DOTALL,
    )
    html = re.sub(
        r"\[(?:embed|video)[^\]]*\](.*?)\[/(?:embed|video)\]",
        lambda match: f'<iframe src="{match.group(1).strip()}"></iframe>',
        html,
        flags=re.IGNORECASE | re.DOTALL,
    )
    html = re.sub(
        r"\[youtube\s+([^\]\s]+)[^\]]*\]",
        lambda match: f'<iframe src="{match.group(1).strip()}"></iframe>',
        html,
        flags=re.IGNORECASE,
    )
    matches = list(SHORTCODE.finditer(html))
    closed = {match.group(2).lower() for match in matches if match.group(1)}

    def is_shortcode(match: re.Match) -> bool:
        name = match.group(2).lower()
        return bool(match.group(3)) or name in closed or name in BARE_SHORTCODES

    left_out = sorted({match.group(2).lower() for match in matches if is_shortcode(match)})
    if left_out:
        names = ", ".join(f"[{name}]" for name in left_out)
        source.warnings.append(f"{label}: the shortcodes {names} were left out.")
        html = SHORTCODE.sub(lambda match: "" if is_shortcode(match) else match.group(0), html)
    return html


def _caption(match: re.Match) -> str:
    inner = match.group(1)
    image = re.search(r"(<a[^>]*>\s*)?<img[^>]*>(\s*</a>)?", inner, re.IGNORECASE)
    if image is None:
        return inner
    caption = inner[image.end() :].strip()
    return f"<figure>{image.group(0)}<figcaption>{caption}</figcaption></figure>"
