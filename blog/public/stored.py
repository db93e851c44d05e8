"""Readers' pages served from the page store (blog.core.page_store): rendered once, then
served to every reader with one query until what they show changes.

Only a page that is the same for every reader is stored and served: not to the signed-in
author, not to a reader holding their own cookie (their waiting comments, their like), not
when the session holds a message for them, and not when the address asks for a variant of
the page (``?reply_to=``, ``?like=``). Feeds and the sitemap are the same for everyone. The
comment form's start time, signed to the minute, is a marker in the stored copy, made
afresh for each request.
"""

import hashlib
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from flask import Response, after_this_request, current_app, g, request, session
from flask_login import current_user
from markupsafe import Markup

from blog.comments import spam
from blog.core import page_store
from blog.core.clock import utcnow
from blog.core.pagination import page_number
from blog.extensions import db
from blog.posts.publication import next_release
from blog.public import front_door, reader

MARKER = "<!--rounds:started:{}-->"
MARKER_RE = re.compile(r"<!--rounds:started:(\d+)-->")


def comment_form_token(post_id: int) -> str:
    """The comment form's start time; a stored copy of the page carries a marker instead."""
    token = spam.form_token(post_id)
    g.setdefault("form_tokens", {})[token] = post_id
    return token


# Pages that show no counters (feeds, the sitemap, the archive, the about page, search
# results): kept until something changes, and a day at most.
NO_COUNTERS = timedelta(days=1)


def changes_at(when: datetime) -> None:
    """Note that the page being rendered changes by itself at ``when`` (naive UTC)."""
    g.page_changes_at = min(when, g.get("page_changes_at") or when)


def part(name: str, render: Callable[[], str]) -> Markup:
    """A part of a page that is the same for every reader who sees it (a post's related,
    previous and next posts), stored like a page: a page rendered for one reader (the
    author, a reader with their cookie) or rendered to be stored reads it with one query
    instead of making it again."""
    if not current_app.config["STORED_PAGES"]:
        return Markup(render())
    part_key = page_store.key(current_app, request.host_url, "part", name)
    at, found = page_store.find(part_key)
    if found is not None:
        return Markup(found.body.decode())
    html = render()
    if at is not None:
        until = valid_until(NO_COUNTERS)
        made = page_store.Page("text/html", html.encode())
        app = current_app._get_current_object()

        @after_this_request
        def store_part(response: Response) -> Response:
            response.call_on_close(lambda: page_store.save(app, part_key, at, made, until))
            return response

    return Markup(html)


def stored(
    *,
    for_everyone: bool = False,
    counters: bool = True,
    paged: bool = False,
    variants: tuple[str, ...] = (),
    negotiated: Callable[[], str] | None = None,
):
    """Serve the view's page from the store when it is the same for every reader.

    ``for_everyone``: the same whoever asks (feeds, the sitemap), sent public to all.
    ``counters``: the page shows views, likes or comment counts, so it is rendered again
    once they are STORED_PAGE_SECONDS old; a page without (and feeds) is kept until a
    change, a day at most.
    ``paged``: ``?page=`` picks the page. ``variants``: query arguments that make a page
    of its own (rendered each time). Other query arguments don't change the page.
    ``negotiated``: the variant this request's Accept header picks (each stored apart).
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def serve(**view_args) -> Response:
            if not shared_request(for_everyone, variants):
                return finish(current_app.make_response(view(**view_args)), for_everyone)
            page_key = key_for(view_args, paged, negotiated() if negotiated else "")
            at, found = page_store.find(page_key)
            if found is None and not RENDERING.claim(page_key):
                at, found = RENDERING.wait_for(page_key)
            if found is not None:
                g.cache_public = True
                response = from_store(found)
                front_door.offer(found.body, at, found.valid_until, filler(found.body))
                if negotiated:
                    response.vary.add("Accept")
                return finish(response, for_everyone)
            try:
                response = current_app.make_response(view(**view_args))
            except BaseException:
                RENDERING.release(page_key)
                raise
            if at is not None and response.status_code == 200 and not response.is_streamed:
                if for_everyone or g.get("cache_public"):
                    longest = counters_age() if counters and not for_everyone else NO_COUNTERS
                    keep(response, page_key, at, longest)
                    return finish(response, for_everyone)
            RENDERING.release(page_key)
            return finish(response, for_everyone)

        return serve

    return decorate


def shared_when_asked_again(view: Callable) -> Callable:
    """For pages too many to store them all (search results: any words a reader types):
    rendered by Flask and offered to the worker's front door (blog.public.front_door),
    which serves a repeat of the same address from memory while nothing has changed. When
    a reader asks for one again there, it is stored for the other workers, which then
    serve it with one query instead of running the search again: a search readers repeat
    runs about once for the site, while a flood of searches no one repeats writes nothing. They
    show no counters: kept as feeds are, until a change."""

    @wraps(view)
    def serve(**view_args) -> Response:
        if not shared_request(False, ()):
            return finish(current_app.make_response(view(**view_args)), False)
        # The address as the front door knows it: its whole query string.
        page_key = key_for(
            {**view_args, "query": request.query_string.decode("latin-1")}, False, ""
        )
        at, found = page_store.find(page_key)  # the generation, before reading what it shows
        if found is not None:
            g.cache_public = True
            front_door.offer(found.body, at, found.valid_until)
            return finish(from_store(found), False)
        response = current_app.make_response(view(**view_args))
        if at is not None and response.status_code == 200 and not response.is_streamed:
            until = page_valid_until(NO_COUNTERS)
            page = page_store.Page(response.content_type, response.get_data())
            app = current_app._get_current_object()
            front_door.offer(
                page.body, at, until, share=lambda: page_store.save(app, page_key, at, page, until)
            )
        return finish(response, False)

    return serve


class Rendering:
    """The pages this process is rendering to store. Another request for one of them waits
    for the stored copy (at most STORED_PAGE_WAIT_SECONDS) rather than render it too, so a
    page that expires under load is rendered once per worker, not once per reader."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pages: dict[str, tuple[float, threading.Event]] = {}

    def claim(self, page_key: str) -> bool:
        """Take on rendering the page, unless a request of this process already has
        (and has not been at it for longer than the wait)."""
        now = time.monotonic()
        with self.lock:
            claimed = self.pages.get(page_key)
            if claimed is not None and now - claimed[0] < self.wait_seconds():
                return False
            self.pages[page_key] = (now, threading.Event())
            return True

    def release(self, page_key: str) -> None:
        with self.lock:
            claimed = self.pages.pop(page_key, None)
        if claimed is not None:
            claimed[1].set()

    def wait_for(self, page_key: str) -> tuple[int | None, page_store.Page | None]:
        """Wait for the request rendering the page, then look for its stored copy again
        (None: render it here after all)."""
        with self.lock:
            claimed = self.pages.get(page_key)
        if claimed is not None:
            claimed[1].wait(self.wait_seconds())
        db.session.rollback()  # a new read: what the other request stored since
        return page_store.find(page_key)

    @staticmethod
    def wait_seconds() -> float:
        return float(current_app.config["STORED_PAGE_WAIT_SECONDS"])


RENDERING = Rendering()


def shared_request(for_everyone: bool, variants: tuple[str, ...]) -> bool:
    if not current_app.config["STORED_PAGES"] or any(name in request.args for name in variants):
        return False
    if for_everyone:
        return True
    return not (current_user.is_authenticated or reader.has_token() or "_flashes" in session)


def key_for(view_args: dict, paged: bool, variant: str) -> str:
    parts = [request.host_url, request.endpoint or "", variant]
    parts += [f"{name}={value}" for name, value in sorted(view_args.items())]
    if paged:
        parts.append(f"page={page_number()}")
    return page_store.key(current_app, *parts)


def keep(response: Response, page_key: str, at: int, longest: timedelta) -> None:
    """Store the page once its response has been sent, valid until the first of:
    ``longest`` (its counters' age limit, or a day for pages that show none), a time the
    page changes by itself, the next post going out, and the new year (the footer's)."""
    body = response.get_data(as_text=True)
    for token, post_id in g.get("form_tokens", {}).items():
        body = body.replace(token, MARKER.format(post_id))
    until = page_valid_until(longest)
    modified = response.last_modified.replace(tzinfo=None) if response.last_modified else None
    page = page_store.Page(response.content_type, body.encode(), modified)
    front_door.offer(page.body, at, until, filler(page.body))
    app = current_app._get_current_object()

    def store() -> None:
        try:
            page_store.save(app, page_key, at, page, until)
        finally:
            RENDERING.release(page_key)

    response.call_on_close(store)


def counters_age() -> timedelta:
    """How old the views and likes on a stored page may be (STORED_PAGE_SECONDS)."""
    return timedelta(seconds=float(current_app.config["STORED_PAGE_SECONDS"]))


def page_valid_until(longest: timedelta) -> datetime:
    """When a page rendered now stops being valid: ``valid_until``, the new year (the
    footer's) or a time the page changes by itself (``changes_at``)."""
    new_year = datetime(utcnow().year + 1, 1, 1)
    return valid_until(longest, new_year, g.get("page_changes_at"))


def valid_until(longest: timedelta, *also: datetime | None) -> datetime:
    """When a page made now stops being valid (naive UTC): after ``longest``, at any time
    of ``also``, or when the next post goes out, whichever comes first."""
    return min([utcnow() + longest, *filter(None, [*also, next_release()])])


def fill_form_tokens(body: bytes) -> bytes:
    """The stored body with each comment form's start time made for this minute."""
    text = MARKER_RE.sub(lambda match: spam.form_token(int(match[1])), body.decode())
    return text.encode()


def filler(body: bytes) -> Callable[[bytes], bytes] | None:
    return fill_form_tokens if b"<!--rounds:started:" in body else None


def from_store(page: page_store.Page) -> Response:
    body = fill_form_tokens(page.body) if filler(page.body) else page.body
    response = current_app.response_class(body, content_type=page.content_type)
    if page.last_modified is not None:
        response.last_modified = page.last_modified
    return response


def finish(response: Response, for_everyone: bool) -> Response:
    """The caching headers: feeds and the sitemap public for everyone, with an ETag (a 304
    when it matches); a reader's page varies with the cookies (the rest is set for every
    response in blog/__init__.py)."""
    if not for_everyone:
        response.vary.add("Cookie")
        return response
    if response.status_code != 200:
        return response
    # Its type too: a feed's two types carry the same bytes, and a cache must tell them apart.
    tagged = response.content_type.encode() + b"\n" + response.get_data()
    response.set_etag(hashlib.sha256(tagged).hexdigest()[:32])
    # The same for every visitor, signed in or not, so also cacheable when it is a 304.
    response.cache_control.public = True
    response.cache_control.max_age = int(current_app.config["PUBLIC_CACHE_SECONDS"])
    return response.make_conditional(request)
