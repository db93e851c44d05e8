"""Static files under versioned URLs: ``url_for('static', filename=…)`` adds ``?v=<hash>``.

The hash is taken from the file's content, so a changed stylesheet or script gets a new
URL the moment it is deployed, and a versioned URL can be cached for a year: no reader
keeps old CSS after an upgrade. nginx serves ``/static/`` itself in production and sends
the same year-long immutable header for a versioned URL (``deploy/nginx.conf``); this
module does it when Flask serves the file (``make run``).
"""

import hashlib
import os
from functools import lru_cache

from flask import Flask, request
from werkzeug.security import safe_join

VERSION_ARG = "v"
IMMUTABLE_SECONDS = 31536000


@lru_cache(maxsize=256)
def content_hash(path: str, mtime_ns: int, size: int) -> str:
    """The first 12 hex digits of the file's SHA-256 (remembered while it is unchanged)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def fingerprint(folder: str | None, filename: str) -> str | None:
    """The version of a static file, or None when there is no such file."""
    path = safe_join(folder, filename) if folder else None
    if path is None or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return content_hash(path, stat.st_mtime_ns, stat.st_size)


def init_app(app: Flask) -> None:
    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and VERSION_ARG not in values:
            version = fingerprint(app.static_folder, values["filename"])
            if version:
                values[VERSION_ARG] = version

    # Runs before the security headers' hook (registered earlier, so run later), which
    # leaves a response that is already public as it is.
    @app.after_request
    def cache_versioned(response):
        if request.endpoint != "static" or response.status_code != 200:
            return response
        asked = request.args.get(VERSION_ARG)
        if asked and asked == fingerprint(app.static_folder, request.view_args["filename"]):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = IMMUTABLE_SECONDS
            response.cache_control.immutable = True
        return response
