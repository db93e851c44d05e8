"""Automated accessibility pass over the main public and admin pages, light and dark.

Each page is checked in the browser for: one h1, the header/nav/main/footer landmarks,
a label for every form control, alt on every image, unique ids, no skipped heading
levels inside <main>, and WCAG AA contrast (4.5:1) of body text and muted text against
the page background and of every visible text against the background behind it,
computed from getComputedStyle.
"""

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from blog.extensions import db
from blog.models import Author, Page, PageStatus, Post, Settings
from blog.posts import pages
from tests.e2e.conftest import sign_in_page

PASSWORD = "correct horse battery staple"
SAMPLE_SLUG = "understanding-blood-pressure"

# Returns a list of problems found on the current page ([] when it passes).
AUDIT_JS = """
() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);

  const h1s = [...document.querySelectorAll("h1")].filter(visible);
  if (h1s.length !== 1) problems.push(`expected one h1, found ${h1s.length}`);

  for (const selector of ["header", "nav", "main", "footer"]) {
    if (!document.querySelector(selector)) problems.push(`no <${selector}> landmark`);
  }
  if (document.querySelectorAll("main").length !== 1) problems.push("more than one <main>");

  const controls = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea");
  for (const control of controls) {
    const named = control.labels.length > 0 || control.getAttribute("aria-label")
      || control.getAttribute("aria-labelledby") || control.closest("[aria-hidden=true]");
    if (!named) problems.push(`form control without a label: ${control.outerHTML.slice(0, 120)}`);
  }

  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`image without alt: ${img.getAttribute("src")}`);
  }

  const seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push(`duplicate id: ${el.id}`);
    seen.add(el.id);
  }

  let previous = 0;
  const main = document.querySelector("main");
  for (const heading of main ? main.querySelectorAll("h1, h2, h3, h4, h5, h6") : []) {
    if (!visible(heading)) continue;
    const level = Number(heading.tagName[1]);
    if (previous && level > previous + 1) {
      problems.push(`heading skips from h${previous} to h${level}: ${heading.textContent.trim()}`);
    }
    previous = level;
  }

  const channels = (colour) => colour.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  const background = channels(getComputedStyle(document.body).backgroundColor);
  const probe = document.createElement("span");
  document.body.append(probe);
  const samples = {body: document.body, muted: probe};
  probe.className = "muted";
  for (const [name, el] of Object.entries(samples)) {
    const value = ratio(channels(getComputedStyle(el).color), background);
    if (value < 4.5) problems.push(`${name} text contrast ${value.toFixed(2)} < 4.5`);
  }
  probe.remove();

  // Every other visible text against the nearest opaque background behind it
  // (3:1 for large text).
  const backdrop = (el) => {
    for (; el; el = el.parentElement) {
      const colour = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g).map(Number);
      if (colour.length === 3 || colour[3] > 0.5) return colour.slice(0, 3);
    }
    return background;
  };
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!text || !visible(el) || style.clipPath === "inset(50%)") continue;
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const value = ratio(channels(style.color), backdrop(el));
    if (value < (large ? 3 : 4.5)) {
      const words = el.textContent.trim().slice(0, 40);
      problems.push(`contrast ${value.toFixed(2)}: ${el.tagName} "${words}"`);
    }
  }
  return problems;
}
"""

PUBLIC_PAGES = [
    "/",
    f"/post/{SAMPLE_SLUG}",
    "/tag/prevention",
    "/archive",
    "/search?q=pressure",
    "/search?q=nothingmatches",
    "/about",
    "/page/clinic-hours",
    "/feed.xml",
    "/login",
    "/no-such-page",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/posts/new",
    "/admin/posts/{post_id}/edit",
    "/admin/posts/{post_id}/revisions",
    "/admin/trash",
    "/admin/settings",
    "/admin/media/library",
    "/admin/import",
    "/admin/comments",
    "/admin/comments?status=approved",
    "/admin/password",
    "/admin/pages",
    "/admin/pages/new",
    "/admin/pages/{page_id}/edit",
    "/admin/pages/{page_id}/delete",
]


@pytest.fixture
def site(demo_site):
    """The sample posts, comments and about page, and an author who can sign in."""
    with demo_site.app_context():
        author = db.session.scalar(select(Author))
        author.email = "ada@example.org"
        author.password_hash = generate_password_hash(PASSWORD)
        db.session.commit()
        post_id = db.session.scalar(select(Post.id).where(Post.slug == SAMPLE_SLUG))
        page = Page(title="Clinic hours", slug="clinic-hours", status=PageStatus.PUBLISHED)
        pages.save_page(page, page.title, page.slug, "## Hours\n\nMonday to Friday.", "published")
        db.session.flush()
        pages.show_in_menu(page, Settings.current(), True)
        db.session.commit()
        ids = {"post_id": post_id, "page_id": page.id}
        db.session.remove()
    return ids


def audit(page, url):
    response = page.goto(url)
    assert response is not None
    return page.evaluate(AUDIT_JS)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_public_pages_pass_the_accessibility_checks(browser, live_server, site, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    failures = {path: audit(page, live_server.url + path) for path in PUBLIC_PAGES}
    context.close()
    assert {path: problems for path, problems in failures.items() if problems} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_pages_pass_the_accessibility_checks(browser, live_server, site, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    sign_in_page(page, live_server.url, "ada@example.org", PASSWORD)
    paths = [path.format(**site) for path in ADMIN_PAGES]
    failures = {path: audit(page, live_server.url + path) for path in paths}
    context.close()
    assert {path: problems for path, problems in failures.items() if problems} == {}
