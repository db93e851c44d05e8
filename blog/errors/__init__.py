"""Error pages in the site's design, for every status the app raises."""

from flask import Blueprint, render_template, request
from werkzeug.exceptions import HTTPException

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


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if error.response is not None:  # a view's own page for this error (e.g. a 429 keeping a form)
        return error.response
    code = error.code or 500
    if code >= 500:
        db.session.rollback()
    title, message = MESSAGES.get(code, (error.name, error.description))
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        return {"error": message, "status": code}, code, headers
    page = render_template("errors/error.html", code=code, title=title, message=message)
    return page, code, headers
