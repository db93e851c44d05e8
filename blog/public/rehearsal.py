"""Each kind of reader's page served once in gunicorn's master, before it forks the workers.

What a process makes the first time it serves a page (SQLAlchemy's compiled statements and
memoised attributes, Python's specialised bytecode, the pages the front door keeps) is then
made once, in the master, and shared by every worker it forks, instead of written into a
private copy of the master's memory by each worker: on the shipped config, 5 MB less for
the stack, and a worker new from a restart serves its first readers from memory.

The requests are the test client's, inside this process: nothing listens yet, and no
rate limit counts them. A database that can't be read (not created or upgraded yet) is
left alone, and the connections are closed before the fork.
"""

import logging
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db
from blog.models import Post

log = logging.getLogger(__name__)
# Set in the environ of the rehearsal's own requests (no HTTP request can set it).
REHEARSAL = "rounds.rehearsal"


def rehearsing() -> bool:
    """Whether this request is the master's rehearsal: no rate limit counts it."""
    return request.environ.get(REHEARSAL) is True


def reader_paths() -> list[str]:
    """The newest post, home, the archive, the about page, feed, sitemap, a search for
    the first word of the post's address and the post's first tag: every template and
    query of a reader's page."""
    newest = db.session.scalar(Post.public().limit(1))
    if newest is None:
        return []
    paths = [
        url_for("public.post", slug=newest.slug),
        url_for("public.home"),
        url_for("public.archive"),
        url_for("public.about"),
        url_for("public.feed"),
        url_for("public.sitemap"),
        url_for("public.search", q=newest.slug.split("-")[0]),
    ]
    if newest.tags:
        paths.append(url_for("public.tag", slug=newest.tags[0].slug))
    return paths


def rehearse(app: Flask) -> list[tuple[str, int]]:
    """Ask for each kind of reader's page once, as a reader without cookies would, at the
    site's own address; return each path with its status. Whatever goes wrong, the site
    starts as it would have without it."""
    try:
        return serve_reader_pages(app)
    except Exception:
        log.warning("Reader pages not served before the workers start", exc_info=True)
        return []
    finally:
        with app.app_context():
            db.engine.dispose()


def serve_reader_pages(app: Flask) -> list[tuple[str, int]]:
    site = urlsplit(app.config["SITE_URL"] or "http://localhost")
    base_url = f"{site.scheme}://{site.netloc}"
    with app.test_request_context(base_url=base_url):
        try:
            paths = reader_paths()
        except SQLAlchemyError as error:
            log.info(
                "Reader pages not served before the workers start: %s", error.__class__.__name__
            )
            return []
        finally:
            db.session.remove()
    client = app.test_client()
    served = []
    for path in paths:
        response = client.get(
            path,
            base_url=base_url,
            headers={"Accept-Encoding": "gzip"},
            environ_base={REHEARSAL: True},
        )
        served.append((path, response.status_code))
        response.close()
    return served
