from flask import Blueprint

bp = Blueprint("public", __name__)

from blog.public import views  # noqa: E402,F401
