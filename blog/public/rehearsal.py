"""Each kind of reader's page served once in gunicorn's master, before it forks the workers.

What a process makes the first time it serves a page (SQLAlchemy's compiled statements and
memoised attributes, Python's specialised bytecode, the pages the front door keeps) is then
made once, in the master, and shared by every worker it forks, instead of written into a
private copy of the master's memory by each worker: on the shipped config, 5 MB less for
the stack, and a worker new from a restart serves its first readers from memory.

The requests are the test client's, inside this process: nothing listens yet. A database
that can't be read (not created or upgraded yet) is left alone, and the connections are
closed before the fork.
"""

import logging
from urllib.parse import urlsplit

from flask import Flask, url_for
from sqlalchemy.exc import SQLAlchemyError

from blog.extensions import db
from blog.models import Post

log = logging.getLogger(__name__)


def reader_paths() -> list[str]:
    """Home, the newest post, its first tag, the archive, the about page, feed and
    sitemap: every template and query of a reader's page (search is left out, as it
    counts against the rate limit of the address that asks)."""
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
    ]
    if newest.tags:
        paths.append(url_for("public.tag", slug=newest.tags[0].slug))
    return paths


def rehearse(app: Flask) -> list[tuple[str, int]]:
    """Ask for each kind of reader's page once, as a reader without cookies would, at the
    site's own address; return each path with its status."""
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
        response = client.get(path, base_url=base_url, headers={"Accept-Encoding": "gzip"})
        served.append((path, response.status_code))
        response.close()
    with app.app_context():
        db.engine.dispose()
    return served
