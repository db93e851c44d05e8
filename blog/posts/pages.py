"""The author's own pages (Contact, Clinic hours, Privacy policy) and the header's menu.

A page is Markdown rendered on save by the posts' pipeline, within the same time budget,
and lives at /page/<slug>. The menu is one line of the settings row: the keys of the
links shown, in order (``home archive about page:3``); the items left out are hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from blog.content import RenderedPost
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Page, PageStatus, Settings
from blog.posts.writing import has_address, render_text, slug_for

# The site's own links, in the order the Settings page offers them.
BUILT_IN = {
    "home": ("Posts", "public.home"),
    "archive": ("Archive", "public.archive"),
    "about": ("About", "public.about"),
    "search": ("Search", "public.search"),
    "feed": ("Feed", "public.feed"),
}
PAGE_PREFIX = "page:"


class PageRefused(ValueError):
    """The page can't be saved as it is; the message says why, for the author."""


@dataclass
class MenuItem:
    key: str
    label: str
    endpoint: str
    values: dict
    shown: bool = True


# -- Pages ------------------------------------------------------------------------------


def published_pages() -> list[Page]:
    return list(
        db.session.scalars(
            select(Page).where(Page.status == PageStatus.PUBLISHED).order_by(Page.title)
        )
    )


def reserved_slugs() -> set[str]:
    """The first part of every path the site answers (about, archive, feed.xml, admin...):
    a page may not take one, so /page/<slug> could also live at /<slug> one day."""
    names = set()
    for rule in current_app.url_map.iter_rules():
        first = rule.rule.strip("/").split("/", 1)[0]
        if first and "<" not in first:
            names.add(first.lower())
    return names


def clean_slug(title: str, wanted: str, page_id: int | None) -> str:
    """The page's address: the slug typed (made URL-safe) or one made from the title.
    A typed slug that another page or the site already uses is refused; a slug made from
    the title gets -2, -3... instead."""
    typed = bool(wanted.strip())
    if typed and not has_address(wanted):
        raise PageRefused(
            f"“{wanted.strip()}” has no letters or digits to make an address from. "
            "Type another, or leave it empty to use the title."
        )
    base = slug_for(wanted if typed else title)
    if base in reserved_slugs():
        if typed:
            raise PageRefused(f"“{base}” is already an address of the site. Choose another.")
        base = f"{base}-page"
    candidate, number = base, 1
    while db.session.scalar(select(Page.id).where(Page.slug == candidate)) not in (None, page_id):
        if typed:
            raise PageRefused(f"Another page already has the address “{candidate}”.")
        number += 1
        candidate = f"{base[:76]}-{number}"
    return candidate


def save_page(
    page: Page, title: str, slug: str, body: str, status: str, rendered: RenderedPost | None = None
) -> Page:
    """Copy the author's fields onto ``page`` with its text rendered (here unless given:
    TooComplex when it can't be within its budget); PageRefused for a taken address."""
    page.slug = clean_slug(title, slug, page.id)
    page.title = title
    page.status = status if status in tuple(PageStatus) else PageStatus.DRAFT
    rendered = rendered or render_text(body)
    page.body_md, page.body_html, page.excerpt = body, rendered.html, rendered.excerpt
    page.updated_at = utcnow()
    db.session.add(page)
    return page


def rerender(page: Page) -> None:
    """Render the page's stored Markdown again (``flask rerender``, after a policy change)."""
    rendered = render_text(page.body_md)
    page.body_html, page.excerpt = rendered.html, rendered.excerpt


def delete_page(page: Page, settings: Settings) -> None:
    """Delete the page and take it out of the menu."""
    settings.menu = " ".join(key for key in settings.menu.split() if key != page.menu_key)
    db.session.add(settings)
    db.session.delete(page)


def show_in_menu(page: Page, settings: Settings, shown: bool) -> None:
    """Add the page at the end of the menu, or take it out."""
    keys = [key for key in settings.menu.split() if key != page.menu_key]
    if shown:
        keys.append(page.menu_key)
    settings.menu = " ".join(keys)
    db.session.add(settings)


# -- The menu ---------------------------------------------------------------------------


def _built_in(key: str) -> MenuItem:
    label, endpoint = BUILT_IN[key]
    return MenuItem(key, label, endpoint, {})


def _page_item(page: Page) -> MenuItem:
    return MenuItem(page.menu_key, page.title, "public.page", {"slug": page.slug})


def menu_items(settings: Settings) -> list[MenuItem]:
    """The header's links, in the author's order: published pages only (a page that is
    a draft again, or deleted, drops out of the header)."""
    keys = settings.menu.split()
    pages = {}
    if any(key.startswith(PAGE_PREFIX) for key in keys):
        try:
            pages = {page.menu_key: page for page in published_pages()}
        except SQLAlchemyError:  # an error page must render even when the database fails
            db.session.rollback()
    items = []
    for key in keys:
        if key in BUILT_IN:
            items.append(_built_in(key))
        elif key in pages:
            items.append(_page_item(pages[key]))
    return items


def menu_choices(settings: Settings) -> list[MenuItem]:
    """Every item the menu can hold, the shown ones first in their order, then the rest
    (the site's links, then published pages by title), for the Settings page."""
    shown = menu_items(settings)
    keys = {item.key for item in shown}
    others = [_built_in(key) for key in BUILT_IN if key not in keys]
    others += [_page_item(page) for page in published_pages() if page.menu_key not in keys]
    for item in others:
        item.shown = False
    return shown + others


def set_menu(settings: Settings, choices: list[tuple[str, bool, int]]) -> None:
    """Store the menu from (key, shown, position) as the Settings page sends them: shown
    items by position (ties keep the page's order); unknown keys are ignored."""
    known = {item.key for item in menu_choices(settings)}
    ordered = sorted(
        (position, index, key)
        for index, (key, shown, position) in enumerate(choices)
        if shown and key in known
    )
    settings.menu = " ".join(dict.fromkeys(key for _, _, key in ordered))
    db.session.add(settings)
