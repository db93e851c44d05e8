"""Strict pagination: a page number that is not a positive integer, or past the end, is 404."""

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination

from blog.extensions import db


def page_number() -> int:
    raw = request.args.get("page")
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or int(raw) < 1:
        abort(404)
    return int(raw)


def paginate(query, number: int, per_page: int | None = None) -> Pagination:
    per_page = per_page or current_app.config["POSTS_PER_PAGE"]
    page = db.paginate(query, page=number, per_page=per_page, error_out=False)
    if number > 1 and not page.items:
        abort(404)
    return page
