"""A Ghost export ("Settings → Labs → Export your content", a JSON file), with its
content/images folder when given: posts and pages, tags, feature images, the HTML (or
the Lexical document rendered to HTML). Every Ghost author becomes the one author here.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import markdown

from blog.imports.fetching import ImportRefused
from blog.imports.sources import Source, SourcePost, inside, parse_time
from blog.models import PostStatus

# Ghost writes its own address as this placeholder; it stands for "the old site".
GHOST_URL = "__GHOST_URL__"
ORIGIN = "https://ghost.invalid"
IMAGES = "/content/images/"
RESIZED = re.compile(r"/content/images/(?:size/[^/]+/)?(?:format/[^/]+/)?")
STATUSES = {
    "published": PostStatus.PUBLISHED,
    "scheduled": PostStatus.SCHEDULED,
    "draft": PostStatus.DRAFT,
}


def read(path: Path, images: Path | None) -> Source:
    try:
        with path.open("rb") as stream:
            document = json.load(stream)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if hasattr(error, "lineno") else ""
        raise ImportRefused(
            f"{path.name} is not a complete JSON file{where}. Export it again from Ghost "
            "(Settings → Labs → Export your content). Nothing was imported."
        ) from None
    except RecursionError:
        raise ImportRefused(f"{path.name} nests too deeply to be an export.") from None
    data = _data(document)
    if data is None:
        raise ImportRefused(
            f"{path.name} is JSON but not a Ghost export (it has no posts). Export it again "
            "from Ghost (Settings → Labs → Export your content). Nothing was imported."
        )
    source = Source(key="ghost", kind="Ghost", label=path.name, hosts={"ghost.invalid"})
    source.offline_hosts = {"ghost.invalid"}
    source.offline_hint = (
        "not in the export's images; give Ghost's content/images folder "
        "(--ghost-images, or a zip holding the export and the folder)"
    )
    source.original_image = lambda url: RESIZED.sub(IMAGES, url, count=1)
    source.find_local = lambda url: _local_image(images, url)
    _read_posts(data, source)
    users = data.get("users") or []
    if len(users) > 1:
        source.warnings.append(f"The export names {len(users)} authors; every post is yours here.")
    return source


def _data(document) -> dict | None:
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        document = document["db"][0]
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        data = document["data"]
        if isinstance(data.get("posts"), list):
            return data
    return None


def _local_image(images: Path | None, url: str) -> Path | None:
    path = urlsplit(url).path
    if images is None or IMAGES not in path:
        return None
    return inside(images, path.split(IMAGES, 1)[1])


def _absolute(value: str | None) -> str:
    return (value or "").replace(GHOST_URL, ORIGIN)


def _rows(data: dict, table: str) -> list[dict]:
    return [row for row in data.get(table) or [] if isinstance(row, dict)]


def _read_posts(data: dict, source: Source) -> None:
    tags = {row.get("id"): row for row in _rows(data, "tags")}
    meta = {row.get("post_id"): row for row in _rows(data, "posts_meta")}
    post_tags: dict[str, list[tuple[int, str]]] = {}
    for row in _rows(data, "posts_tags"):
        tag = tags.get(row.get("tag_id"))
        name = " ".join(str((tag or {}).get("name") or "").split())
        if name and not name.startswith("#"):  # "#name" is an internal tag in Ghost
            order = row.get("sort_order") or 0
            post_tags.setdefault(row.get("post_id"), []).append((order, name))
    for row in _rows(data, "posts"):
        post = _post(row, meta.get(row.get("id")) or {}, source)
        if post is not None:
            post.tags = [name for _, name in sorted(post_tags.get(row.get("id"), []))]
            source.posts.append(post)


def _post(row: dict, meta: dict, source: Source) -> SourcePost | None:
    title = " ".join(str(row.get("title") or "").split()) or "Untitled"
    label = f"“{title}”"
    ghost_status = str(row.get("status") or "")
    if ghost_status == "sent":
        status = PostStatus.DRAFT
        source.warnings.append(f"{label} was sent only as a newsletter: imported as a draft.")
    elif ghost_status in STATUSES:
        status = STATUSES[ghost_status]
    else:
        source.warnings.append(f"{label}: left out (its status is “{ghost_status}”).")
        return None
    if row.get("visibility") not in (None, "public") and status != PostStatus.DRAFT:
        status = PostStatus.DRAFT
        source.warnings.append(
            f"{label} was for members only on Ghost: imported as a draft, so you decide "
            "whether to publish it."
        )
    body = row.get("html")
    if not body and row.get("lexical"):
        try:
            body = lexical_html(json.loads(row["lexical"]))
        except (TypeError, ValueError, RecursionError):
            body = None
    if body is None:
        source.warnings.append(
            f"{label}: left out, it has no HTML or Lexical text in the export (open it in a "
            "recent Ghost, save it, and export again)."
        )
        return None
    slug = str(row.get("slug") or "")
    kind = "page" if row.get("type") == "page" else "post"
    post = SourcePost(
        original_id=str(row.get("uuid") or row.get("id")),
        kind=kind,
        title=title,
        slug=slug or title,
        html=_absolute(body),
        base_url=f"{ORIGIN}/{slug}/",
        status=status,
        published_at=parse_time(row.get("published_at")) if status != PostStatus.DRAFT else None,
        updated_at=parse_time(row.get("updated_at")),
        excerpt=" ".join(str(row.get("custom_excerpt") or "").split()),
        meta_description=str(meta.get("meta_description") or row.get("meta_description") or ""),
        featured=bool(row.get("featured")),
        cover_url=_absolute(row.get("feature_image")) or None,
        cover_alt=str(meta.get("feature_image_alt") or ""),
    )
    if status != PostStatus.DRAFT and slug:
        post.old_paths = [f"/{slug}"]
    return post


# -- Lexical ---------------------------------------------------------------------------------

FORMATS = ((16, "code"), (1, "strong"), (2, "em"), (4, "s"), (32, "sub"), (64, "sup"))


def lexical_html(document: dict) -> str:
    """Ghost's Lexical document (the editor's JSON) as HTML: text, headings, lists,
    quotes, links and the cards a post uses (image, code, embed, bookmark, HTML,
    Markdown, callout, button, gallery, divider)."""
    root = document.get("root", document) if isinstance(document, dict) else {}
    return _nodes(root.get("children") or [])


def _nodes(nodes: list) -> str:
    return "".join(_node(node) for node in nodes if isinstance(node, dict))


def _node(node: dict) -> str:  # noqa: C901 - one branch per node type
    kind = node.get("type")
    inner = _nodes(node.get("children") or [])
    if kind == "text" or kind == "extended-text":
        text = html.escape(str(node.get("text") or ""))
        for bit, tag in FORMATS:
            if int(node.get("format") or 0) & bit:
                text = f"<{tag}>{text}</{tag}>"
        return text
    if kind in ("paragraph", "extended-paragraph"):
        return f"<p>{inner}</p>"
    if kind in ("heading", "extended-heading"):
        tag = str(node.get("tag") or "h2")
        tag = tag if re.fullmatch(r"h[1-6]", tag) else "h2"
        return f"<{tag}>{inner}</{tag}>"
    if kind in ("quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    if kind in ("link", "autolink"):
        return f'<a href="{html.escape(_absolute(node.get("url")))}">{inner}</a>'
    if kind == "linebreak":
        return "<br>"
    if kind == "horizontalrule":
        return "<hr>"
    if kind == "image":
        return _figure(node)
    if kind == "gallery":
        return "".join(
            _figure(image) for image in node.get("images") or [] if isinstance(image, dict)
        )
    if kind == "codeblock":
        language = html.escape(str(node.get("language") or ""))
        code = html.escape(str(node.get("code") or ""))
        return f'<pre><code class="language-{language}">{code}</code></pre>'
    if kind == "html":
        return _absolute(str(node.get("html") or ""))
    if kind == "markdown":
        return markdown.markdown(_absolute(str(node.get("markdown") or "")))
    if kind in ("embed", "video"):
        url = _absolute(node.get("url") or node.get("src"))
        return f'<iframe src="{html.escape(url)}"></iframe>' if url else ""
    if kind == "bookmark":
        url = html.escape(_absolute(node.get("url")))
        title = html.escape(str((node.get("metadata") or {}).get("title") or node.get("url") or ""))
        return f'<p><a href="{url}">{title}</a></p>' if url else ""
    if kind == "callout":
        return f"<blockquote>{node.get('calloutText') or ''}</blockquote>"
    if kind == "button":
        url = html.escape(_absolute(node.get("buttonUrl")))
        text = html.escape(str(node.get("buttonText") or url))
        return f'<p><a href="{url}">{text}</a></p>' if url else ""
    if kind == "toggle":
        return f"<h3>{node.get('heading') or ''}</h3>{node.get('content') or ''}"
    return inner


def _figure(node: dict) -> str:
    source = html.escape(_absolute(node.get("src")))
    if not source:
        return ""
    alt = html.escape(str(node.get("alt") or ""))
    caption = node.get("caption") or ""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{source}" alt="{alt}">{figcaption}</figure>'
