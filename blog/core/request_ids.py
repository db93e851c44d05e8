"""One id per request, sent back as ``X-Request-Id``: the access log line carries it.

Behind a trusted proxy (``PROXY_COUNT`` set) the proxy's id is kept, so nginx's log and
gunicorn's name the same request (nginx sends ``$request_id``); anything that is not a
short token of letters, digits, ``.``, ``_`` and ``-`` is replaced, so no client can put
text of its choosing into the logs. Without a proxy every id is made here.
"""

import re
import secrets

from flask import Flask, current_app, g, request

HEADER = "X-Request-Id"
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def choose(offered: str, behind_proxy: bool) -> str:
    """The id for a request that came with ``offered`` (its header, or "")."""
    return offered if behind_proxy and SAFE_ID.fullmatch(offered) else secrets.token_hex(16)


def request_id() -> str:
    """The current request's id, made or taken once."""
    if "request_id" not in g:
        offered = request.headers.get(HEADER, "")
        g.request_id = choose(offered, bool(current_app.config["PROXY_COUNT"]))
    return g.request_id


def init_app(app: Flask) -> None:
    @app.after_request
    def send_request_id(response):
        response.headers[HEADER] = request_id()
        return response
