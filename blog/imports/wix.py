"""A Wix blog, read from what it publishes (Wix has no export): its blog sitemap lists
the posts, each post page gives the title, author line, dates, tags and categories, the
body and the cover; the RSS feed fills in what a page leaves out. Or a folder of saved
post pages, for offline use.

A Wix post page is mostly furniture around the text: skip links, the header, share
buttons, view and comment counters, "recent posts", the comment widget. The body is the
rich-content viewer inside ``data-hook="post-content"``; everything marked as furniture
is removed from it, and the counters are read before they go (the view count becomes the
post's starting total, a "Featured" ribbon its featured flag).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeTree
from bs4 import BeautifulSoup, Tag

from blog.imports.fetching import Fetcher, ImportRefused, Unavailable
from blog.imports.sources import Source, SourcePost, parse_time, within

PAGE_MAX_BYTES = 10 * 1024 * 1024
MAX_POSTS = 10_000
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# data-hook values of the furniture around and inside a Wix post's text.
FURNITURE = {
    "post-header", "post-title", "post-footer", "post-main-actions-desktop",
    "post-main-actions-mobile", "post-main-actions__stats", "post-stats", "more-button",
    "recent-posts", "related-posts", "post-page-related-posts", "comments",
    "comments-widget", "post-tags", "post-page-categories", "categories-list",
    "author-with-name-and-picture", "post-page-author-info", "post-ribbon", "like-button",
    "share-buttons", "skeleton-loader", "prev-link", "next-link", "tooltip-portal",
    "post-hero-image", "subscribe-form",
}  # fmt: skip
BODY_HOOKS = ("post-content", "post-description")
VIEWS = re.compile(r"([\d.,]+)\s*([KkMm]?)\s*views?\b")
COMMENTS = re.compile(r"([\d.,]+)\s*comments?\b")
# Wix's resized copies: /media/<id>~mv2.jpg/v1/fill/w_740,h_493,.../<name>.jpg
RESIZED = re.compile(r"^(/media/[^/]+\.[A-Za-z0-9]{3,4})/v1/")
Progress = Callable[[int, int, str], None]


@dataclass
class FeedEntry:
    published: str = ""
    creator: str = ""
    image: str = ""
    categories: list[str] = field(default_factory=list)


def original_image(url: str) -> str:
    """Wix serves resized copies at <original>/v1/fill/w_740,.../name.jpg: the original."""
    parts = urlsplit(url)
    match = RESIZED.match(parts.path)
    if match is None:
        return url
    return parts._replace(path=match.group(1), query="").geturl()


# -- Reading a site --------------------------------------------------------------------------


def read_site(address: str, fetcher: Fetcher, progress: Progress) -> Source:
    parts = urlsplit(address)
    origin = f"{parts.scheme}://{parts.netloc}"
    source = _new_source(parts.hostname or "", address)
    source.hosts = {(parts.hostname or "").lower()}
    if (parts.hostname or "").startswith("www."):
        source.hosts.add(parts.hostname[4:].lower())
    feed = _feed(fetcher, origin + "/blog-feed.xml", source)
    urls = _post_addresses(fetcher, origin, source) or list(feed)
    if not urls:
        raise ImportRefused(
            f"No blog posts were found at {address}: neither its sitemap "
            f"({origin}/sitemap.xml) nor its feed ({origin}/blog-feed.xml) lists any "
            "/post/ pages. Is this the address of a Wix site with a blog?"
        )
    for number, url in enumerate(urls[:MAX_POSTS], start=1):
        progress(number, len(urls), url)
        try:
            page = fetcher.get(url, PAGE_MAX_BYTES)
        except Unavailable as problem:
            source.warnings.append(f"{problem}: this post was not imported.")
            continue
        text = page.body.decode("utf-8", errors="replace")
        post = parse_post(text, page.url, feed.get(_path(url)), source)
        if post is not None:
            source.posts.append(post)
    _note_comments(source)
    return source


def _new_source(host: str, label: str) -> Source:
    host = host.lower().removeprefix("www.")
    source = Source(key=f"wix:{host}", kind="Wix", label=label)
    source.original_image = original_image
    return source


def _path(url: str) -> str:
    return unquote(urlsplit(url).path).rstrip("/")


def _xml(body: bytes, url: str) -> Element:
    try:
        return SafeTree.fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise ImportRefused(
            f"{url} declares a document type or XML entities, which sitemaps and feeds never "
            "do (it could be an “entity bomb”). Nothing was imported."
        ) from None
    except ParseError as error:
        line, column = error.position
        raise ImportRefused(
            f"{url} is not a complete XML file (line {line}, column {column + 1}). "
            "Nothing was imported."
        ) from None


def _post_addresses(fetcher: Fetcher, origin: str, source: Source) -> list[str]:
    """The /post/ pages the sitemaps list: the index, then the blog-posts sitemap(s)."""
    try:
        index = _xml(fetcher.get(origin + "/sitemap.xml", PAGE_MAX_BYTES).body, "sitemap.xml")
    except Unavailable as problem:
        source.warnings.append(f"{problem}; looking for posts in the feed instead.")
        return []
    sitemaps = [_text(node) for node in index.iter(f"{SITEMAP_NS}loc")]
    if index.tag == f"{SITEMAP_NS}sitemapindex":
        blog = [url for url in sitemaps if "post" in urlsplit(url).path]
        addresses: list[str] = []
        for url in blog[:20]:
            try:
                sitemap = _xml(fetcher.get(url, PAGE_MAX_BYTES).body, url)
            except Unavailable as problem:
                source.warnings.append(f"{problem}; the posts it lists were not read.")
                continue
            addresses += [_text(node) for node in sitemap.iter(f"{SITEMAP_NS}loc")]
        sitemaps = addresses
    posts = [url for url in sitemaps if "/post/" in urlsplit(url).path]
    return list(dict.fromkeys(posts))


def _feed(fetcher: Fetcher, url: str, source: Source) -> dict[str, FeedEntry]:
    """The RSS feed's dates, categories, author and cover, by post path."""
    try:
        root = _xml(fetcher.get(url, PAGE_MAX_BYTES).body, url)
    except Unavailable:
        return {}
    entries = {}
    for item in root.iter("item"):
        link = _text(item.find("link"))
        if "/post/" not in link:
            continue
        enclosure = item.find("enclosure")
        entries[_path(link)] = FeedEntry(
            published=_text(item.find("pubDate")),
            creator=_text(item.find(DC_CREATOR)),
            image=(enclosure.get("url") or "") if enclosure is not None else "",
            categories=[_text(node) for node in item.findall("category") if _text(node)],
        )
    return entries


def _text(node: Element | None) -> str:
    return " ".join((node.text or "").split()) if node is not None else ""


# -- Reading a folder of saved pages ---------------------------------------------------------


def read_folder(folder: Path) -> Source:
    """Saved post pages (the browser's "Save page as… complete"): images saved beside
    them are read from disk, the others downloaded."""
    pages = sorted(p for p in folder.rglob("*.htm*") if "_files" not in p.parent.name)
    source = _new_source("", str(folder))
    feed_file = next(iter(sorted(folder.rglob("blog-feed.xml"))), None)
    feed = {}
    if feed_file is not None:
        feed = {_path(link): entry for link, entry in _feed_file(feed_file).items()}
    root = folder.resolve()

    def find_local(url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file":
            return None
        return within(root, Path(unquote(parts.path)))

    source.find_local = find_local
    for page in pages[:MAX_POSTS]:
        text = page.read_text(encoding="utf-8", errors="replace")
        post = parse_post(text, page.resolve().as_uri(), None, source)
        if post is None:
            continue
        entry = feed.get(_path(post.base_url))
        if entry is not None:
            _fill_from_feed(post, entry)
        source.posts.append(post)
        host = urlsplit(post.base_url).hostname
        if host:
            source.key = _new_source(host, "").key
            source.hosts |= {host.lower(), host.lower().removeprefix("www.")}
    if not source.posts:
        raise ImportRefused(
            f"{folder} holds no saved Wix post pages (pages with a post title and text)."
        )
    _note_comments(source)
    return source


def _feed_file(path: Path) -> dict[str, FeedEntry]:
    body = path.read_bytes()[:PAGE_MAX_BYTES]
    root = _xml(body, path.name)
    entries = {}
    for item in root.iter("item"):
        link = _text(item.find("link"))
        entries[link] = FeedEntry(
            published=_text(item.find("pubDate")),
            categories=[_text(node) for node in item.findall("category") if _text(node)],
        )
    return entries


# -- One post page ---------------------------------------------------------------------------


def parse_post(
    html: str, page_url: str, entry: FeedEntry | None, source: Source
) -> SourcePost | None:
    """A Wix post page as a post, or None when the page is not a post."""
    soup = BeautifulSoup(html, "html.parser")
    body = _body(soup)
    title_tag = soup.find(attrs={"data-hook": "post-title"})
    data = _structured_data(soup)
    title = " ".join(title_tag.get_text(" ").split()) if title_tag else ""
    title = title or str(data.get("headline") or "") or _meta(soup, "og:title")
    if body is None or not title:
        return None
    canonical = _canonical(soup) or page_url
    address = canonical if urlsplit(canonical).scheme in ("http", "https") else page_url
    slug = unquote(_path(address).rsplit("/post/", 1)[-1]) if "/post/" in address else ""
    post = SourcePost(
        original_id=f"/post/{slug}" if slug else _path(address),
        title=title,
        slug=slug or title,
        html="",
        base_url=page_url if page_url.startswith("file:") else address,
        old_slug=slug or None,
        meta_description=_meta(soup, "description"),
    )
    if page_url.startswith("file:"):
        post.base_url = page_url
        post.original_id = f"/post/{slug}" if slug else post.original_id
    post.author_name = _author(soup, data)
    post.published_at = (
        parse_time(str(data.get("datePublished") or ""))
        or parse_time(_meta(soup, "article:published_time"))
        or parse_time(entry.published if entry else "")
        or _time_ago(soup)
    )
    post.updated_at = parse_time(str(data.get("dateModified") or "")) or parse_time(
        _meta(soup, "article:modified_time")
    )
    article = soup.find(attrs={"data-hook": "post"}) or soup.find("article") or soup
    post.tags = _labels(article)
    post.featured = _featured(article)
    post.view_count = _count(article, VIEWS)
    post.comment_total = _count(article, COMMENTS)
    cover = _cover(soup)
    if cover:
        post.cover_url = urljoin(page_url, cover)
    if entry is not None:
        _fill_from_feed(post, entry)
    _remove_furniture(body)
    post.html = str(body)
    return post


def _fill_from_feed(post: SourcePost, entry: FeedEntry) -> None:
    post.published_at = post.published_at or parse_time(entry.published)
    for name in entry.categories:
        if name.lower() not in {tag.lower() for tag in post.tags}:
            post.tags.append(name)
    post.author_name = post.author_name or entry.creator
    if not post.cover_url and entry.image:
        post.cover_url = original_image(entry.image)


def _body(soup: BeautifulSoup) -> Tag | None:
    for hook in BODY_HOOKS:
        found = soup.find(attrs={"data-hook": hook})
        if found is not None:
            return found
    return soup.find(attrs={"data-id": "content-viewer"})


def _structured_data(soup: BeautifulSoup) -> dict:
    """The page's schema.org BlogPosting (JSON-LD), or {}."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (TypeError, ValueError, RecursionError):
            continue
        candidates = data if isinstance(data, list) else [data]
        if isinstance(data, dict) and isinstance(data.get("@graph"), list):
            candidates = data["@graph"]
        for candidate in candidates:
            if isinstance(candidate, dict) and candidate.get("@type") in (
                "BlogPosting",
                "Article",
                "NewsArticle",
            ):
                return candidate
    return {}


def _meta(soup: BeautifulSoup, name: str) -> str:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    return " ".join(str(tag.get("content") or "").split()) if tag else ""


def _canonical(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    return str(link.get("href") or "") if link else _meta(soup, "og:url")


def _author(soup: BeautifulSoup, data: dict) -> str:
    tag = soup.find(attrs={"data-hook": "user-name"})
    if tag is not None:
        return " ".join(tag.get_text(" ").split())
    author = data.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    return str(author.get("name") or "") if isinstance(author, dict) else ""


def _time_ago(soup: BeautifulSoup):
    tag = soup.find(attrs={"data-hook": "time-ago"})
    return parse_time(str(tag.get("title") or "")) if tag is not None else None


def _labels(soup: Tag) -> list[str]:
    """Categories, then tags, without repeats."""
    names: dict[str, str] = {}
    selectors = [
        '[data-hook="category-label-list__item"]',
        '[data-hook="post-page-categories"] a',
        '[data-hook="post-tags"] a',
    ]
    for selector in selectors:
        for tag in soup.select(selector):
            name = " ".join(tag.get_text(" ").split())
            if name:
                names.setdefault(name.lower(), name)
    return list(names.values())


def _featured(soup: Tag) -> bool:
    for tag in soup.find_all(attrs={"data-hook": re.compile("ribbon|featured")}):
        if "featured" in tag.get_text(" ").lower():
            return True
    return False


def _count(soup: Tag, pattern: re.Pattern) -> int:
    for hook in ("post-main-actions__stats", "post-stats"):
        stats = soup.find(attrs={"data-hook": hook})
        if stats is None:
            continue
        match = pattern.search(stats.get_text(" "))
        if match:
            return _number(match.group(1), match.group(2) if pattern is VIEWS else "")
    return 0


def _number(digits: str, unit: str) -> int:
    value = float(digits.replace(",", "")) if unit else int(re.sub(r"[.,]", "", digits) or 0)
    return int(value * {"k": 1_000, "m": 1_000_000}.get(unit.lower(), 1))


def _cover(soup: BeautifulSoup) -> str:
    """The cover image shown above the text (the feed's enclosure names it otherwise;
    the page's og:image is no guide: Wix puts the first image of the text there)."""
    hero = soup.find(attrs={"data-hook": "post-hero-image"})
    image = hero.find("img") if hero is not None else None
    if image is not None and image.get("src"):
        return original_image(str(image["src"]))
    return ""


def _remove_furniture(body: Tag) -> None:
    for tag in body.find_all(attrs={"data-hook": True}):
        hook = str(tag.get("data-hook"))
        if tag.decomposed:
            continue
        if hook in FURNITURE or hook.startswith(("share-button", "post-main-actions")):
            tag.decompose()
    for tag in body.find_all(attrs={"aria-hidden": "true"}):
        if not tag.decomposed and not tag.find("img"):
            tag.decompose()


def _note_comments(source: Source) -> None:
    with_comments = [post for post in source.posts if post.comment_total]
    if with_comments:
        total = sum(post.comment_total for post in with_comments)
        source.warnings.append(
            f"Wix shows comments with a script, not in its pages, so the {total} comments "
            f"on {len(with_comments)} posts were not imported."
        )
