"""Rounds: a self-hosted blog for a solo clinician."""

import logging
import os
from urllib.parse import urlsplit

from flask import Flask, abort, g, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from blog import config as default_config
from blog.core import inputs
from blog.extensions import csrf, db, limiter, login_manager

LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]


def create_app(test_config: dict | None = None, *, commands: bool = True) -> Flask:
    """Build the application: config layers, extensions, blueprints, errors, CLI.

    ``commands=False`` (wsgi.py, what the web server runs) leaves out the ``flask``
    commands and Alembic: they load the migration and import tools, which no worker
    serving pages uses, into every worker's memory."""
    configure_logging()
    app = Flask(__name__, instance_relative_config=True)
    inputs.install(app)
    os.makedirs(app.instance_path, exist_ok=True)

    app.config.from_object(default_config)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BLOG")
    if test_config:
        app.config.update(test_config)
    finish_config(app)

    register_extensions(app)
    register_blueprints(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_operations(app)
    if commands:
        register_commands(app)
    if not app.testing:
        from blog.accounts.authors import announce_setup_token

        announce_setup_token(app)
    install_front_door(app)
    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def configure_logging() -> None:
    """Log to stderr, once; a host that already configured logging (a test runner) keeps its own."""
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s"
    )
    # A refusal is in the access log already (its 429): a line of its own for each would
    # double a flood in the journal. Flask-Limiter's warnings and errors still show.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)


def finish_config(app: Flask) -> None:
    """Derive settings from the layered config and refuse to run without a real key."""
    config = app.config
    if not (app.debug or app.testing) and len(str(config["SECRET_KEY"] or "")) < 32:
        raise RuntimeError(
            "SECRET_KEY is missing or shorter than 32 characters: run `make run` once (it "
            "writes a random one to instance/config.py) or set BLOG_SECRET_KEY to the output "
            "of `python3 -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        sqlite_file = os.path.join(app.instance_path, "blog.sqlite3")
        config["SQLALCHEMY_DATABASE_URI"] = database_url(config["DATABASE_URL"], sqlite_file)
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if config["SITE_URL"] and not config.get("TRUSTED_HOSTS"):
        # Only the public address may be asked for: a forged Host never reaches a page.
        # (and the machine itself, for a health check run on the server).
        config["TRUSTED_HOSTS"] = [urlsplit(config["SITE_URL"]).hostname, *LOCAL_HOSTS]
    config["MEDIA_DIR"] = config["MEDIA_DIR"] or os.path.join(app.instance_path, "media")
    config["MAX_CONTENT_LENGTH"] = int(float(config["MAX_UPLOAD_MB"]) * 1024 * 1024)
    # Werkzeug's own cap on form text (500 kB) would refuse a long post's save with 413.
    config["MAX_FORM_MEMORY_SIZE"] = config["MAX_CONTENT_LENGTH"]
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    # A remembered sign-in's cookie lasts as long as its server-side session may.
    config["PERMANENT_SESSION_LIFETIME"] = int(float(config["SESSION_MAX_DAYS"]) * 86400)
    if not config["PASSWORD_HASH_METHOD"]:
        config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000" if app.testing else "scrypt"


def database_url(url: str, sqlite_file: str) -> str:
    """The SQLAlchemy URL: the configured one (postgres:// spelled for psycopg 3) or SQLite."""
    if not url:
        return "sqlite:///" + sqlite_file
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def register_extensions(app: Flask) -> None:
    from blog import posts
    from blog.core import database, page_store

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    posts.init_app(app)
    page_store.init_app(app)

    @login_manager.user_loader
    def load_author(user_id: str):
        """Signed in only while the server-side session named in the cookie lives."""
        from blog.accounts import sessions

        found = sessions.find(user_id)
        if found is None:
            return None
        author, g.author_session = found
        return author


def register_blueprints(app: Flask) -> None:
    from blog.auth import bp as auth_bp
    from blog.author import bp as author_bp
    from blog.errors import bp as errors_bp
    from blog.public import bp as public_bp

    app.register_blueprint(errors_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(author_bp)


def register_security_headers(app: Flask) -> None:
    """A strict CSP and friends on every response; cache headers for anonymous pages."""
    permissions = (
        "accelerometer=(), autoplay=(), browsing-topics=(), camera=(), display-capture=(), "
        "encrypted-media=(), fullscreen=(self), geolocation=(), gyroscope=(), "
        "interest-cohort=(), magnetometer=(), microphone=(), midi=(), payment=(), "
        "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
        "serial=(), usb=(), xr-spatial-tracking=()"
    )
    # blob: images are files the author picked, shown before they are uploaded.
    csp = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.before_request
    def refuse_unusable_requests():
        """Every endpoint takes form fields. Flask-WTF would read a JSON body as form data
        with numbers, lists and objects where text is expected, so refuse it up front
        (after the sign-in check for /admin, which answers a signed-out script with 401)."""
        if "\x00" in request.path:  # no page has one; PostgreSQL would refuse the lookup
            abort(404)
        if request.method == "GET" or not request.is_json:
            return
        if current_user.is_authenticated or not request.path.startswith("/admin"):
            abort(415, "Send this as a form (application/x-www-form-urlencoded), not JSON.")

    @app.after_request
    def set_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", csp)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", permissions)
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if response.cache_control.public:  # the view's own: the same for everyone (feeds, media)
            return response
        if current_user.is_authenticated:  # what the author sees is stored nowhere
            headers["Cache-Control"] = "no-store"
        elif (
            getattr(g, "cache_public", False)
            and response.status_code == 200
            and not (session.modified or "Set-Cookie" in headers)
        ):
            seconds = int(app.config["PUBLIC_CACHE_SECONDS"])
            stale = int(app.config["PUBLIC_STALE_SECONDS"])
            headers["Cache-Control"] = f"public, max-age={seconds}, stale-while-revalidate={stale}"
            # A cache that asks again with the page's ETag gets 304 while nothing changed.
            response.add_etag()
            response.make_conditional(request)
        elif "Cache-Control" not in headers:
            headers["Cache-Control"] = "no-cache, private"
        return response


def warm(app: Flask) -> None:
    """Compile every template, configure the models and serve each kind of reader's page
    once (blog.public.rehearsal). gunicorn calls this in its master before forking the
    workers (wsgi.py, preload_app): a worker new from a restart then serves its first
    pages as fast as the others, from what it shares with the master, instead of
    compiling templates while readers wait."""
    from sqlalchemy.orm import configure_mappers

    from blog.public.rehearsal import rehearse

    configure_mappers()
    for name in app.jinja_env.list_templates(extensions=("html", "xml", "txt")):
        app.jinja_env.get_template(name)
    rehearse(app)


def install_front_door(app: Flask) -> None:
    """Stored pages served from memory before Flask (blog.public.front_door)."""
    from blog.public import front_door

    with app.app_context():
        front_door.install(app, db.engine)


def register_template_helpers(app: Flask) -> None:
    from blog.core import templating

    templating.init_app(app)


def register_operations(app: Flask) -> None:
    """What running it needs: versioned static URLs, a request id on every response."""
    from blog.core import assets, request_ids

    assets.init_app(app)
    request_ids.init_app(app)


def register_commands(app: Flask) -> None:
    from flask_migrate import Migrate

    from blog import cli, models

    migrations = os.path.join(app.root_path, os.pardir, "migrations")
    Migrate(render_as_batch=True, compare_type=True).init_app(app, db, directory=migrations)
    cli.init_app(app)

    @app.shell_context_processor
    def shell_context():
        return {"db": db, "models": models}


logging.getLogger("PIL").setLevel(logging.WARNING)
