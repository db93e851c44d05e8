"""Error pages in the site's design, for every status the app raises."""

from flask import Blueprint, current_app, render_template
from flask.globals import request_ctx
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from blog.core.database import CannotWrite, reads_only
from blog.core.inputs import CrossSiteRequest, wants_json
from blog.extensions import db

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Please go back and try again."),
    403: ("Not allowed", "You don't have permission to see this page."),
    404: ("Page not found", "There is no page at this address. It may have moved."),
    405: ("Not allowed", "This address doesn't accept that kind of request."),
    410: ("This page was removed", "The author has taken this page down."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: ("Too many requests", "Please wait a minute before trying again."),
    500: ("Something went wrong", "The site had a problem. It has been logged; try again."),
    503: ("Temporarily unavailable", "The site is busy. Please try again in a moment."),
}
CANNOT_SAVE = (
    "The site can't save right now",
    "Reading works, but the server can't store anything at the moment (its disk may be "
    "full), so what you sent was not saved. Please try again later.",
)
FORM_EXPIRED = (
    "This form has expired",
    "The page was open too long, or you were signed out. Reload the page (sign in again "
    "in another tab if asked), then try again.",
)


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.response is not None:  # a view's own page for this error (e.g. a 429 keeping a form)
        return error.response
    if request_ctx.url_adapter is None:  # a Host not in TRUSTED_HOSTS, or not a host name:
        # no URL can be built, so no page in the site's design
        return "Unknown host name.", 400, {"Content-Type": "text/plain; charset=utf-8"}
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    title, message = MESSAGES.get(code, (error.name, error.description))
    if isinstance(error, CSRFError):
        title, message = FORM_EXPIRED
    elif isinstance(error, CrossSiteRequest):
        title, message = "Refused", error.description
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if isinstance(error, RateLimitExceeded):
        message, seconds = rate_limited(error)
        headers.append(("Retry-After", str(seconds)))
    if wants_json():
        return {"error": message, "status": code}, code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers


def rate_limited(error: RateLimitExceeded) -> tuple[str, int]:
    """What a refused reader reads (the limit's own words, else the general ones), with the
    longest they may have to wait, and that wait in seconds."""
    seconds = error.limit.limit.get_expiry()
    wait = "a minute" if seconds <= 60 else "an hour" if seconds <= 3600 else "a day"
    wait = wait if seconds <= 60 else f"up to {wait}"
    words = error.limit.error_message or "Please wait {wait} before trying again."
    return words.format(wait=wait), seconds


def refused_write(error: CannotWrite) -> None:
    """Log a refused write loudly, and let the rest of the request read (to answer)."""
    current_app.logger.error("A write was refused: %s", error)
    db.session.rollback()
    reads_only()


@bp.app_errorhandler(CannotWrite)
def cannot_write(error: CannotWrite):
    """503: the database or the disk refuses writes; pages that only read still work."""
    refused_write(error)
    return cannot_save_page()


def cannot_save_page():
    title, message = CANNOT_SAVE
    if wants_json():
        return {"error": message, "status": 503}, 503
    return render_template("errors/error.html", code=503, title=title, message=message), 503
