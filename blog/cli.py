"""Command-line tools: `flask --app blog <command>`."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blog.accounts import authors as accounts
from blog.accounts import limits, sessions, two_factor
from blog.comments import purge
from blog.content import render_comment, render_page
from blog.core import backups
from blog.core.bounded import TooComplex
from blog.core.database import begin_write
from blog.core.site import site_author
from blog.core.templating import plural
from blog.extensions import db
from blog.imports.fetching import ImportRefused
from blog.imports.importer import Options, Progress, run_import
from blog.mail import outbox, sending
from blog.models import Comment, Page, Post, Settings
from blog.posts import pages, portability, review_links
from blog.posts import samples as demo
from blog.posts.writing import apply_rendering

RERENDER_BATCH = 200
# What `flask import` reports of a site it brought in: table, then the words for its rows.
SITE_PARTS = (
    ("posts", ("post",)),
    ("tags", ("tag",)),
    ("revisions", ("revision",)),
    ("slug_redirects", ("old address", "old addresses")),
    ("comments", ("comment",)),
    ("post_likes", ("like",)),
    ("post_views", ("day of views", "days of views")),
    ("pages", ("page",)),
    ("media", ("image",)),
)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(rerender_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(create_author_command)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(import_site_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(reset_two_factor_command)
    app.cli.add_command(mail_group)


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Only on a new site: no author account and no posts (otherwise do nothing).",
)
def demo_command(if_empty: bool) -> None:
    """Load the sample posts, comments and about page on a new site (no author yet)."""
    if if_empty:
        if not accounts.setup_open():
            return  # the author's site: never touched, nothing to say
        if db.session.scalar(select(Post.id).limit(1)) is not None:
            click.echo("The database has posts; sample content not loaded.")
            return
    begin_write()
    try:
        count = demo.load_sample_content()
    except demo.SamplesRefused as refusal:
        db.session.rollback()
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Loaded {count} sample posts.")


@click.command("rerender")
def rerender_command() -> None:
    """Re-run the content pipeline on every post, comment and page (after a policy change)."""
    posts = rewrite_in_batches(Post, rerender_post, selectinload(Post.tags))
    comments = rewrite_in_batches(
        Comment, lambda comment: setattr(comment, "body_html", render_comment(comment.body_md))
    )
    begin_write()
    settings = Settings.current()
    db.session.add(settings)
    settings.about_html = render_page(settings.about_md)
    db.session.commit()
    click.echo(f"Re-rendered {posts} posts and {comments} comments.")
    page_count = rewrite_in_batches(Page, rerender_page)
    if page_count:
        click.echo(f"Re-rendered {plural(page_count, 'page')}.")


def rerender_post(post: Post) -> None:
    try:
        apply_rendering(post)
    except TooComplex:
        click.echo(f"{post.slug}: too intricate to render in time; its stored HTML is kept.")


def rerender_page(page: Page) -> None:
    try:
        pages.rerender(page)
    except TooComplex:
        click.echo(f"page {page.slug}: too intricate to render in time; its stored HTML is kept.")


def rewrite_in_batches(model, change, *options) -> int:
    """change() each row in id order, RERENDER_BATCH rows a write transaction; the count."""
    query = select(model).options(*options).order_by(model.id).limit(RERENDER_BATCH)
    done, last_id = 0, 0
    while True:
        begin_write()
        batch = db.session.scalars(query.where(model.id > last_id)).all()
        for row in batch:
            change(row)
            last_id = row.id
        db.session.commit()
        done += len(batch)
        if len(batch) < RERENDER_BATCH:
            return done


@click.command("backup")
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def backup_command(folder: str | None) -> None:
    """Back up the database (online, while the site runs), the media and instance/config.py
    into a new dated folder in FOLDER (default: BACKUP_DIR), then delete the backups older
    than BACKUP_KEEP_DAYS. Run it as the site's user."""
    root = Path(folder) if folder else backups.backup_root()
    days = float(current_app.config["BACKUP_KEEP_DAYS"])
    try:
        made = backups.make_backup(root)
        removed = backups.prune(root, days)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"The backup failed: {error}") from None
    current_app.logger.info("Backed up the site to %s", made.folder)
    config = ", instance/config.py" if made.config else " (there is no instance/config.py)"
    click.echo(
        f"Backed up the database{config} and {plural(made.copied + made.linked, 'media file')} "
        f"({made.copied} copied, {made.linked} unchanged since the previous backup and linked "
        f"to it) to {made.folder}."
    )
    if removed:
        click.echo(f"Deleted {plural(len(removed), 'backup')} older than {days:g} days.")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, file_okay=False))
@click.option("--yes", is_flag=True, help="Don't ask before replacing the site.")
@click.option("--force", is_flag=True, help="Skip the check that no process has the database open.")
def restore_command(backup: str, yes: bool, force: bool) -> None:
    """Replace the site's database, media and instance/config.py with BACKUP (a folder made
    by `flask backup`), after checking it whole. Stop the site first; run it as the site's
    user. What it replaces is moved to instance/before-restore-<time>/."""
    if not yes:
        click.confirm(
            f"Replace this site's database, media and config with the backup in {backup}?",
            abort=True,
        )
    try:
        done = backups.restore(Path(backup), force=force)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    current_app.logger.info("Restored the backup %s", backup)
    manifest = done.manifest
    media = sum(name.startswith("media/") for name in manifest["files"])
    click.echo(
        f"Restored the backup of {manifest['created_at']} (schema {manifest['schema_revision']}, "
        f"{media} media files). What it replaced is in {done.aside}: delete that folder once "
        "the site is fine."
    )
    if not done.head:
        click.echo("Its schema is older than this version's: run `flask --app blog db upgrade`.")
    click.echo("Start the site again: sudo systemctl start rounds rounds-backup.timer")


@click.command("create-author")
@click.option("--name", prompt="Your name", help="As shown on posts, e.g. Dr. Jane Doe.")
@click.option("--credentials", prompt="Credentials (e.g. MD, Psychiatry)", default="")
@click.option("--email", prompt="Email (for signing in)")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of prompting for it.",
)
@click.option(
    "--sample-posts",
    type=click.Choice([demo.KEEP_AS_DRAFTS, demo.START_EMPTY]),
    default=demo.KEEP_AS_DRAFTS,
    show_default=True,
    help="Sample posts leave the public site either way: kept as drafts, or deleted.",
)
def create_author_command(
    name: str, credentials: str, email: str, password_stdin: bool, sample_posts: str
) -> None:
    """Create the author account (the alternative to /setup). The password is never an argument."""
    if not accounts.setup_open():
        raise click.ClickException("An author account already exists; sign in at /login.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    reason = accounts.weak_password_reason(password, (name, email))
    if reason:
        raise click.ClickException(reason)
    if "@" not in email or len(email) > 254:
        raise click.ClickException("That doesn't look like an email address.")
    begin_write()
    author = accounts.create_author(name, email, password, credentials, sample_posts)
    db.session.commit()
    click.echo(f"Created the author account for {author.name} <{author.email}>. Sign in at /login.")


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_command(path: str) -> None:
    """Write the whole site to a zip: every post as Markdown with front matter, every
    table's rows (tables/*.jsonl, no secrets), the media files, and data.json."""
    portability.export_zip(path)
    click.echo(f"Exported the site to {path}.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--posts-only",
    is_flag=True,
    help="From a site export, import only its posts (Markdown), into a site that has posts.",
)
def import_command(path: str, posts_only: bool) -> None:
    """Import a whole site from an export zip (into an empty site whose author account
    exists), or posts from Markdown files with front matter (a file, a folder, or an
    export zip with --posts-only)."""
    author = site_author()
    source = Path(path)
    if not posts_only and portability.site_export_format(source) == portability.FORMAT:
        if author is None or not author.can_sign_in:
            raise click.ClickException(
                "Create your account on this site first (open /setup, or run flask --app "
                "blog create-author), then import: the site's posts become that account's."
            )
        begin_write()
        try:
            counts = portability.import_site(source, author)
        except portability.SiteImportError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
        parts = [plural(counts.get(table, 0), *words) for table, words in SITE_PARTS]
        click.echo(
            f"Imported the site into {author.name}'s account: {', '.join(parts)} "
            f"({plural(counts['media files'], 'file')}), the settings and the profile."
        )
        return
    if author is None:
        raise click.ClickException("Create the author first (flask --app blog create-author).")
    begin_write()
    imported = 0
    for name, text in portability.markdown_sources(source):
        post, message = portability.import_markdown(text, author)
        imported += post is not None
        click.echo(f"{name}: {message}")
    db.session.commit()
    click.echo(f"Imported {imported} posts.")


class TerminalProgress(Progress):
    """A progress bar for each stage (a line of its name when not on a terminal)."""

    def __init__(self):
        self.bar = None

    def stage(self, name: str, total: int = 0) -> None:
        self.close()
        if total:
            self.bar = click.progressbar(length=total, label=name, show_pos=True)
            self.bar.__enter__()
        else:
            click.echo(f"{name}…")

    def step(self, label: str = "") -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("import-site")
@click.argument("source")
@click.option("--dry-run", is_flag=True, help="List what would be imported; write nothing.")
@click.option(
    "--allow-private-addresses",
    is_flag=True,
    help="Also download from private network addresses (an intranet site).",
)
@click.option(
    "--wordpress-uploads",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="WordPress: the wp-content/uploads folder, read instead of downloading.",
)
@click.option(
    "--ghost-images",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Ghost: the content/images folder that goes with the export.",
)
@click.option(
    "--pages-as",
    type=click.Choice(["about", "posts"]),
    default="about",
    show_default=True,
    help="Pages become the About page (the one named About, or the only one) or posts.",
)
def import_site_command(
    source: str,
    dry_run: bool,
    allow_private_addresses: bool,
    wordpress_uploads: Path | None,
    ghost_images: Path | None,
    pages_as: str,
) -> None:
    """Move a blog in from Wix (its address, or a folder of saved post pages), a WordPress
    export (.xml) or a Ghost export (.json), or a zip of one with its images. Running it
    again updates what changed and adds what is new."""
    author = site_author()
    if author is None:
        raise click.ClickException("Create the author first (flask --app blog create-author).")
    options = Options(
        dry_run=dry_run,
        allow_private=allow_private_addresses,
        wordpress_uploads=wordpress_uploads,
        ghost_images=ghost_images,
        pages_as=pages_as,
    )
    progress = TerminalProgress()
    try:
        report = run_import(source, author, options, progress)
    except ImportRefused as refused:
        progress.close()
        raise click.ClickException(str(refused)) from None
    progress.close()
    for line in report.lines:
        click.echo(line)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}")
    click.echo(report.summary())


@click.command("purge")
def purge_command() -> None:
    """Delete old spam, erase old reader IP hashes (SPAM_PURGE_DAYS, IP_HASH_DAYS) and
    view receipts older than two days."""
    result = purge.purge()
    config = current_app.config
    click.echo(
        f"Deleted {result.spam_deleted} spam comments older than "
        f"{config['SPAM_PURGE_DAYS']} days; erased {result.ip_hashes_erased} IP hashes "
        f"older than {config['IP_HASH_DAYS']} days and {result.view_receipts_deleted} view "
        f"receipts older than {purge.VIEW_RECEIPT_DAYS} days."
    )
    begin_write()
    ended, forgotten = sessions.purge_expired(), limits.purge_old()
    links = review_links.purge_old()
    mails = outbox.purge_log(float(config["MAIL_LOG_DAYS"]))
    db.session.commit()
    click.echo(f"Removed {ended} expired sign-in sessions and {forgotten} old failed sign-ins.")
    days = review_links.KEPT_AFTER_END.days
    click.echo(f"Removed {links} review links that stopped working over {days} days ago.")
    click.echo(f"Removed {mails} sent or failed mails older than {config['MAIL_LOG_DAYS']} days.")


@click.group("mail")
def mail_group() -> None:
    """Send the queued mail: confirmations, new posts, reply notices, comment notices."""


@mail_group.command("send")
@click.option("--limit", type=click.IntRange(min=1), help="Send at most this many mails.")
def mail_send_command(limit: int | None) -> None:
    """Queue posts that have gone out, send every mail that is due, and stop."""
    if not current_app.config["MAIL_SERVER"]:
        raise click.ClickException("MAIL_SERVER is not set: nothing can be sent.")
    sending.stop_on_signals()
    report = sending.send_due(limit)
    click.echo(f"Mail: {report}.")
    if report.problem:
        sys.exit(1)


@mail_group.command("work")
@click.option(
    "--if-configured",
    is_flag=True,
    help="Exit quietly when MAIL_SERVER is not set (`make run`).",
)
def mail_work_command(if_configured: bool) -> None:
    """Send the queue, then look again every MAIL_POLL_SECONDS, until stopped (SIGTERM
    lets the mail in hand finish)."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        if if_configured:
            return
        raise click.ClickException("MAIL_SERVER is not set: nothing can be sent.")
    if not config["SITE_URL"]:
        current_app.logger.warning(
            "SITE_URL is not set: links in mail point to %s", sending.DEV_SITE_URL
        )
    sending.stop_on_signals()
    current_app.logger.info(
        "Mail worker: %s:%s, at most %s mails a minute",
        config["MAIL_SERVER"],
        config["MAIL_PORT"],
        config["MAIL_RATE_PER_MINUTE"],
    )
    sending.work()


@click.command("reset-two-factor")
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    """Turn two-step sign-in off for the author with EMAIL (a lost phone and lost
    recovery codes) and sign out every browser; run it on the server as the site's user."""
    begin_write()
    author = accounts.find_by_email(email)
    if author is None:
        raise click.ClickException(f"No author signs in with {email}.")
    two_factor.disable(author)
    ended = sessions.end_others(author.id, None)
    db.session.commit()
    click.echo(
        f"Two-step sign-in is off for {author.email}; signed out "
        f"{ended} browser{'s' * (ended != 1)}. Sign in with the password, then turn it on "
        "again from Account."
    )
