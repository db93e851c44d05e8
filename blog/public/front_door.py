"""The front door: readers' stored pages served from each worker's memory, before Flask.

A page the page store serves to every reader (blog.public.stored) is also kept here, in
memory, with the response's headers, the generation it was stored at and the time it
stops being valid. The next reader without any of the site's cookies who asks for the
same address gets it straight from here after one indexed read of the generation: no
request context, session, sign-in check, query through the ORM or decompression. A page
kept here is never newer or older than the store's: it is served only while the
generation is the one it was made at and its time has not run out, exactly as the store
would; anything else (a change, a cookie, a query it hasn't seen, a HEAD, a database that
can't be read) goes through Flask as before, which offers the page here again. One
exception, as caches do with ``stale-while-revalidate``: when a page's time runs out (its
counters' age, a scheduled post due), the first request renders it again while the
worker's other requests still get the kept copy, for at most PUBLIC_STALE_SECONDS. A
change is never served stale: the generation is checked all the same.

While one request of a worker is at Flask for an address it has no copy of, others for
the same address wait for it (at most STORED_PAGE_WAIT_SECONDS, as nginx's
``proxy_cache_lock``) and get the page it kept, rather than make the same page alongside
it: the first readers of a search, or of a page that just changed, cost one render per
worker, not one per reader. An address whose answer was not kept (a redirect, a 404, a
file) is not waited for again.

The comment form's start time is signed to the minute: a page with the form is filled in
again once a minute. Each worker keeps at most FRONT_DOOR_BYTES (0 turns the front door
off), in two parts, as a segmented LRU cache does: a page kept is "on trial" until a
reader asks for it again, which moves it to the part of pages readers come back to (at
most PROTECTED_SHARE of the budget; its least recently served go back on trial). Room is
made from the pages on trial first, least recently served first. So a stranger asking
for endless new addresses (made-up searches or query strings) churns only the pages on
trial, and the pages readers keep coming back to stay in memory. A page that is not in
the page store (a search) is stored there when a reader asks for it again here, so the
other workers serve it without making it (blog.public.stored.shared_when_asked_again).
"""

import threading
import time
from collections import ChainMap, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, request
from sqlalchemy import Engine
from werkzeug.http import (
    generate_etag,
    http_date,
    is_resource_modified,
    quote_etag,
    remove_entity_headers,
)
from werkzeug.wsgi import ClosingIterator

from blog.core import page_store, request_ids

OFFER = "rounds.front_door.offer"
# Headers made for each response, not kept with the page.
PER_RESPONSE = frozenset({"content-length", "etag", "x-request-id", "date", "server"})
# How many addresses whose answers were not kept are remembered (not waited for).
UNKEPT_MAX = 1000
# What a kept page costs besides its body and headers' text: the objects holding it, its
# address, and each header's pair (counted against FRONT_DOOR_BYTES with the rest).
KEPT_OVERHEAD = 1024
HEADER_OVERHEAD = 160
# The most of the budget held by pages asked for again while kept; the rest is for pages
# on trial, so a page new to the worker can stay long enough to be asked for again.
PROTECTED_SHARE = 0.8


@dataclass
class Offer:
    """A page a view served to every reader: its stored body (the comment form's start
    time as a marker, filled in by ``fill``), generation and end of validity (naive UTC);
    ``share``, for a page not in the page store, stores it there once a reader asks for it
    again (called once, after that answer is sent; it never raises)."""

    template: bytes
    generation: int
    valid_until: datetime
    fill: Callable[[bytes], bytes] | None = None
    share: Callable[[], None] | None = None


def offer(template: bytes, generation: int, valid_until: datetime, fill=None, share=None) -> None:
    """Offer the current response's page to the front door (taken only if it goes out as
    a public 200 with no cookie)."""
    request.environ[OFFER] = Offer(template, generation, valid_until, fill, share)


@dataclass
class Kept:
    """A page in memory: what it was made from, and its body as filled in this minute."""

    offer: Offer
    status: str
    headers: list[tuple[str, str]]
    valid_until: float  # seconds since the epoch
    last_modified: str | None
    etag: str | None
    dated: bool  # Flask sent a Date (conditional responses do): so does the front door
    size: int
    minute: int = -1
    body: bytes = b""
    renewing_since: float = 0.0  # when a request set out to render it again
    lock: threading.Lock = field(default_factory=threading.Lock)


class FrontDoor:
    """WSGI middleware around the Flask app's own ``wsgi_app``."""

    def __init__(self, app: Flask, wsgi_app: Callable, engine: Engine):
        self.app = app
        self.wsgi_app = wsgi_app
        self.engine = engine
        self.budget = int(app.config["FRONT_DOOR_BYTES"])
        self.behind_proxy = bool(app.config["PROXY_COUNT"])
        self.stale_seconds = float(app.config["PUBLIC_STALE_SECONDS"])
        self.cookies = tuple(
            f"{name}=".encode("latin-1")
            for name in (
                app.config["SESSION_COOKIE_NAME"],
                app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
                "rounds_reader",
            )
        )
        # Least recently served first: pages not served from here yet, and pages that were.
        self.on_trial: OrderedDict[tuple, Kept] = OrderedDict()
        self.returned_to: OrderedDict[tuple, Kept] = OrderedDict()
        self.negotiated: set[tuple] = set()
        self.size = 0
        self.returned_to_size = 0
        self.lock = threading.Lock()
        self.wait_seconds = float(app.config["STORED_PAGE_WAIT_SECONDS"])
        self.asking: dict[tuple, threading.Event] = {}  # addresses at Flask now
        self.unkept: set[tuple] = set()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if self.budget <= 0 or environ.get("REQUEST_METHOD") != "GET" or self.personal(environ):
            return self.wsgi_app(environ, start_response)
        address = self.address(environ)
        if address in self.negotiated:  # a feed: each Accept header its own page
            address = (*address, environ.get("HTTP_ACCEPT", ""))
        kept = self.find(address)
        if kept is not None:
            served = self.serve(address, kept, environ, start_response)
            if served is not None:
                return served
        return self.one_at_a_time(address, environ, start_response)

    def find(self, address: tuple) -> Kept | None:
        return self.returned_to.get(address) or self.on_trial.get(address)

    @property
    def kept(self) -> ChainMap:
        """Every kept page by address (a read-only view of both parts)."""
        return ChainMap(self.returned_to, self.on_trial)

    # -- Which requests --------------------------------------------------------------

    def personal(self, environ: dict) -> bool:
        """Whether the request carries a cookie that can make the page its own (the
        author's session, a remembered sign-in, a reader's token): Flask decides then."""
        cookie = environ.get("HTTP_COOKIE")
        if not cookie:
            return False
        raw = cookie.encode("latin-1", "replace")
        return any(name in raw for name in self.cookies)

    @staticmethod
    def address(environ: dict) -> tuple:
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )

    # -- Serving ---------------------------------------------------------------------

    def serve(self, address: tuple, kept: Kept, environ: dict, start_response: Callable):
        """The kept page if it is still current, else None (and it is dropped)."""
        if time.time() >= kept.valid_until and not self.stale_while_renewed(address, kept):
            return None
        generation = page_store.current_generation(self.engine)
        if generation is None:
            return None
        if generation != kept.offer.generation:
            return None  # made again by this request, or dropped if it isn't (one_at_a_time)
        body, etag = self.filled(kept)
        headers = [*kept.headers]
        if etag:
            headers.append(("ETag", etag))
        request_id = request_ids.choose(environ.get("HTTP_X_REQUEST_ID", ""), self.behind_proxy)
        headers.append((request_ids.HEADER, request_id))
        if kept.dated:
            headers.append(("Date", http_date()))
        with self.lock:
            share = self.served_again_locked(address)
        if not is_resource_modified(environ, etag=etag, last_modified=kept.last_modified):
            remove_entity_headers(headers)  # in place
            start_response("304 Not Modified", headers)
            sent = []
        else:
            headers.append(("Content-Length", str(len(body))))
            start_response(kept.status, headers)
            sent = [body]
        return sent if share is None else ClosingIterator(sent, share)

    def stale_while_renewed(self, address: tuple, kept: Kept) -> bool:
        """Whether a page whose time has run out may still be served: only while another
        request of this worker is rendering it again, and for PUBLIC_STALE_SECONDS at most.
        The first request to find it out of time renders it (False); the others get the
        kept copy meanwhile, so they don't wait in line behind the rendering."""
        now = time.time()
        if now >= kept.valid_until + self.stale_seconds:
            self.drop(address)
            return False
        with kept.lock:
            if kept.renewing_since and now - kept.renewing_since < self.stale_seconds:
                return True
            kept.renewing_since = now
        return False

    def filled(self, kept: Kept) -> tuple[bytes, str | None]:
        """The page's body and ETag for this minute (the form's start time filled in)."""
        if kept.offer.fill is None:
            return kept.offer.template, kept.etag
        minute = int(time.time() // 60)
        if kept.minute != minute:
            with kept.lock:
                if kept.minute != minute:
                    with self.app.app_context():
                        kept.body = kept.offer.fill(kept.offer.template)
                    kept.etag = quote_etag(generate_etag(kept.body))
                    kept.minute = minute
        return kept.body, kept.etag

    def one_at_a_time(self, address: tuple, environ: dict, start_response: Callable):
        """Flask answers, unless a request for the same address is already there: then
        wait for the page it keeps (or, if it keeps none in time, ask Flask too)."""
        with self.lock:
            ahead = None if address in self.unkept else self.asking.get(address)
            if ahead is None:
                mine = self.asking.setdefault(address, threading.Event())
        if ahead is not None:
            ahead.wait(self.wait_seconds)
            kept = self.find(address)
            if kept is not None:
                served = self.serve(address, kept, environ, start_response)
                if served is not None:
                    return served
            return self.pass_through(environ, start_response)
        out_of_time = self.find(address)  # out of time or date: made again by this request
        try:
            return self.pass_through(environ, start_response)
        finally:
            with self.lock:
                if self.asking.get(address) is mine:
                    del self.asking[address]
                if out_of_time is not None and self.find(address) is out_of_time:
                    # Not made again (an error, a refusal, gone): no one gets the old copy.
                    self.drop_locked(address)
                elif self.find(address) is None:
                    if len(self.unkept) >= UNKEPT_MAX:
                        self.unkept.clear()
                    self.unkept.add(address)
            mine.set()

    # -- Keeping ---------------------------------------------------------------------

    def pass_through(self, environ: dict, start_response: Callable):
        """Flask answers; a page it offers is kept if it went out public, 200, no cookie."""
        sent: dict = {}

        def noting(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, noting)
        found = environ.get(OFFER)
        if found is not None and sent.get("status", "").startswith("200 "):
            self.keep(environ, found, sent["status"], sent["headers"])
        return body

    def keep(self, environ: dict, found: Offer, status: str, headers) -> None:
        named = {name.lower(): value for name, value in headers}
        if "set-cookie" in named or "public" not in named.get("cache-control", ""):
            return
        address = self.address(environ)
        if "accept" in named.get("vary", "").lower():
            with self.lock:
                if len(self.negotiated) > 1000:
                    self.negotiated.clear()
                self.negotiated.add(address)
            address = (*address, environ.get("HTTP_ACCEPT", ""))
        headers = [(name, value) for name, value in headers if name.lower() not in PER_RESPONSE]
        size = len(found.template) * (1 if found.fill is None else 2) + KEPT_OVERHEAD
        size += sum(len(name) + len(value) + HEADER_OVERHEAD for name, value in headers)
        if size > self.budget // 4:
            return
        kept = Kept(
            offer=found,
            status=status,
            headers=headers,
            valid_until=found.valid_until.replace(tzinfo=UTC).timestamp(),
            last_modified=named.get("last-modified"),
            etag=named.get("etag"),
            dated="date" in named,
            size=size,
        )
        with self.lock:
            returned_to = address in self.returned_to  # a page made again keeps its part
            self.drop_locked(address)
            self.unkept.discard(address)
            if returned_to:
                self.returned_to[address] = kept
                self.returned_to_size += size
                self.within_share_locked()
            else:
                self.on_trial[address] = kept
            self.size += size
            while self.size > self.budget:
                # Pages on trial first, but not the page just kept: past them, the others.
                oldest = next(iter(self.on_trial), address)
                if oldest == address:
                    oldest = next(iter(self.returned_to), address)
                if oldest == address:
                    break
                self.drop_locked(oldest)

    def served_again_locked(self, address: tuple) -> Callable[[], None] | None:
        """A kept page served: the most recently served of pages readers come back to.
        Returns its ``share`` the first time (asked for again: worth storing for all)."""
        kept = self.returned_to.get(address)
        if kept is not None:
            self.returned_to.move_to_end(address)
        else:
            kept = self.on_trial.get(address)
            if kept is None:
                return None
            self.returned_to[address] = kept  # in the new part before out of the old:
            del self.on_trial[address]  # find() never misses it on the way
            self.returned_to_size += kept.size
            self.within_share_locked()
        share = kept.offer.share
        if share is not None:  # written only then: a page shared with the master stays so
            kept.offer.share = None
        return share

    def within_share_locked(self) -> None:
        """Back on trial, as its most recent pages, the least recently served of pages
        readers come back to that are over PROTECTED_SHARE of the budget."""
        while self.returned_to_size > self.budget * PROTECTED_SHARE:
            address, old = next(iter(self.returned_to.items()))
            self.on_trial[address] = old
            del self.returned_to[address]
            self.returned_to_size -= old.size

    def drop(self, address: tuple) -> None:
        with self.lock:
            self.drop_locked(address)

    def drop_locked(self, address: tuple) -> None:
        old = self.on_trial.pop(address, None)
        if old is None:
            old = self.returned_to.pop(address, None)
            if old is not None:
                self.returned_to_size -= old.size
        if old is not None:
            self.size -= old.size


def install(app: Flask, engine: Engine) -> None:
    """Put the front door before the app (inside ProxyFix, which sets the address)."""
    app.wsgi_app = FrontDoor(app, app.wsgi_app, engine)
