"""What search engines and link previews read: absolute URLs, meta tags and JSON-LD.

Health content is judged by who wrote it and when it was last checked, so each post
carries schema.org data naming the author with credentials, the dates, and the reviewer.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from blog.content import make_excerpt, typographic
from blog.core.clock import iso_date
from blog.core.site import site_settings
from blog.models import Author, Post, Reviewer, Settings
from blog.posts.images import media_path
from blog.posts.share_images import HEIGHT, WIDTH, drawn_text, ensure_share_image

AUDIENCES = {
    "patients": {"@type": "PeopleAudience", "audienceType": "Patient"},
    "clinicians": {"@type": "MedicalAudience", "audienceType": "Clinician"},
}


def site_root() -> str:
    """The site's public address without a trailing slash: SITE_URL, else the request's."""
    configured = current_app.config.get("SITE_URL") or ""
    return (configured or url_for("public.home", _external=True)).rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    return site_root() + url_for(endpoint, **values)


def absolute(path: str) -> str:
    """An absolute URL for a site path such as "/media/x.jpg" (absolute URLs pass through)."""
    if path.startswith(("http://", "https://")):
        return path
    return site_root() + "/" + path.lstrip("/")


def cover_image(post: Post) -> dict | None:
    """The picture a shared link shows, as {url, width, height, alt}: the post's cover,
    else its share picture (drawn if missing); None only when that can't be written."""
    media = post.cover
    if media is None:
        return share_picture(post)
    return {
        "url": absolute(media_path(media)),
        "width": media.width,
        "height": media.height,
        "alt": media.alt,
    }


def share_picture(post: Post) -> dict | None:
    settings = site_settings()
    name = ensure_share_image(post, settings, current_app.config["MEDIA_DIR"])
    if name is None:
        return None
    title, byline, site_title = drawn_text(post, settings)
    alt = f"{title}, by {byline} ({site_title})"
    return {"url": absolute("/media/" + name), "width": WIDTH, "height": HEIGHT, "alt": alt}


def description(post: Post) -> str:
    return post.meta_description or post.summary or post.title


def split_credentials(person: Author | Reviewer) -> tuple[str, str]:
    """("MD", "Internal Medicine") from "MD, Internal Medicine"; an author's job_title wins
    for the second."""
    suffix, _, rest = (person.credentials or "").partition(",")
    return suffix.strip(), (getattr(person, "job_title", "") or rest).strip()


def person(author: Author, settings: Settings) -> dict:
    """The author as a schema.org Person. The About page and the profile links (Settings)
    are the real author's: the sample profile, which cannot sign in, gets neither."""
    suffix, job_title = split_credentials(author)
    data = {"@type": "Person", "name": author.name}
    if author.can_sign_in:
        data["url"] = absolute_url("public.about")
    if suffix:
        data["honorificSuffix"] = suffix
    if job_title:
        data["jobTitle"] = job_title
    if author.can_sign_in and settings.same_as_urls:
        data["sameAs"] = settings.same_as_urls
    return data


@dataclass(frozen=True)
class ReviewCredit:
    """Who reviewed a post, as the page's "Medically reviewed by" line names them."""

    name: str
    credentials: str
    url: str  # a profile page, or "" for none


def review_credit(post: Post) -> ReviewCredit | None:
    """The post's reviewer for the page; ``reviewed_by`` gives the structured data from
    the same row, so the two can't disagree. An author of the blog as reviewer is named
    as her profile now reads."""
    reviewer = post.reviewer
    if reviewer is None:
        return None
    url = reviewer.url
    if reviewer.author is not None:
        url = absolute_url("public.about") if reviewer.author.can_sign_in else ""
    return ReviewCredit(reviewer.shown.name, reviewer.shown.credentials, url)


def reviewed_by(post: Post, settings: Settings) -> dict | None:
    """The reviewer as a schema.org Person: the author's own Person when she reviewed it."""
    reviewer = post.reviewer
    if reviewer is None:
        return None
    if reviewer.author is not None:
        return person(reviewer.author, settings)
    suffix, job_title = split_credentials(reviewer)
    data = {"@type": "Person", "name": reviewer.name}
    if suffix:
        data["honorificSuffix"] = suffix
    if job_title:
        data["jobTitle"] = job_title
    if reviewer.url:
        data["url"] = reviewer.url
    return data


def publisher(settings: Settings) -> dict:
    home = absolute_url("public.home")
    return {"@type": "Organization", "name": settings.site_title, "url": home}


def post_structured_data(post: Post, settings: Settings) -> dict:
    """schema.org BlogPosting for one post; for medical content both MedicalWebPage and
    BlogPosting (schema.org allows an entity several types), so search engines read it
    as an article (headline, image, dates, author) and as a medical page (audience,
    lastReviewed, reviewedBy).

    lastReviewed and reviewedBy are WebPage properties: a MedicalWebPage carries them
    itself; a BlogPosting alone carries them on the WebPage it is the main entity of.
    """
    url = absolute_url("public.post", slug=post.slug)
    page: dict = {"@type": "WebPage", "@id": url}
    data: dict = {
        "@context": "https://schema.org",
        "@type": ["MedicalWebPage", "BlogPosting"] if post.medical else "BlogPosting",
        "@id": url + "#article",
        "url": url,
        "headline": typographic(post.title),
        "name": typographic(post.title),
        "description": description(post),
        "inLanguage": "en",
        "author": person(post.author, settings),
        "publisher": publisher(settings),
        "mainEntityOfPage": page,
        "datePublished": iso_date(post.published_at),
        "dateModified": iso_date(post.modified_at),
        "wordCount": post.word_count,
    }
    review_target = data if post.medical else page
    if post.last_reviewed:
        review_target["lastReviewed"] = iso_date(post.last_reviewed)
    reviewer = reviewed_by(post, settings)
    if reviewer:
        review_target["reviewedBy"] = reviewer
    if post.medical:
        data["audience"] = AUDIENCES.get(post.audience, AUDIENCES["patients"])
    cover = cover_image(post)
    if cover:
        data["image"] = {
            "@type": "ImageObject",
            "url": cover["url"],
            "width": cover["width"],
            "height": cover["height"],
        }
    if post.tags:
        data["keywords"] = [tag.name for tag in post.tags]
    return data


def website_structured_data(settings: Settings) -> dict:
    """schema.org WebSite with a SearchAction, for the home page."""
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": settings.site_title,
        "description": settings.tagline,
        "url": absolute_url("public.home"),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": absolute_url("public.search") + "?q={search_term_string}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def page_structured_data(
    kind: str, name: str, url: str, summary: str, settings: Settings, author: Author | None = None
) -> dict:
    """schema.org data for a page that is not a post: a CollectionPage (tag, archive),
    SearchResultsPage or AboutPage (whose main entity is the author), part of the site."""
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "name": name,
        "url": url,
        "description": summary,
        "inLanguage": "en",
        "isPartOf": {
            "@type": "WebSite",
            "name": settings.site_title,
            "url": absolute_url("public.home"),
        },
    }
    if author is not None:
        data["mainEntity"] = person(author, settings)
    return data


def about_description(settings: Settings, author: Author | None) -> str:
    """The About page's own description: its first paragraph, else the author's bio."""
    return (
        make_excerpt(settings.about_html or "", 160)
        or make_excerpt(author.bio_html if author else "", 160)
        or f"About {settings.site_title}."
    )
