"""The clinician's desk in a real browser: the setup choice about the sample posts and what
the public sees afterwards, and a review link opened by a colleague who isn't signed in."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from blog.accounts.authors import setup_tokens
from blog.extensions import db
from blog.models import Author, Post, PostStatus
from tests.e2e.conftest import sign_in_page
from tests.e2e.test_standards import page_problems

PASSWORD = "correct horse battery staple"
SAMPLE_TITLE = "Understanding your blood pressure numbers"


@pytest.mark.parametrize(
    ("choice", "width"),
    [("Keep the samples as drafts to look at", 390), ("Start empty", 1280)],
)
def test_setup_choice_takes_the_samples_off_the_public_site(
    browser, live_server, demo_site, choice, width
):
    with demo_site.app_context():
        token = setup_tokens()[0]
    before = browser.new_context(viewport={"width": width, "height": 900})
    reader = before.new_page()
    reader.goto(live_server.url + "/")
    expect(reader.locator(".sample-tag").first).to_have_text("Sample post")
    before.close()

    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/setup")
    assert page_problems(page) == []
    expect(page.get_by_label("Keep the samples as drafts to look at")).to_be_checked()
    page.fill("#token", token)
    page.fill("#name", "Dr. Jane Doe")
    page.fill("#credentials", "MD, Psychiatry")
    page.fill("#email", "jane@example.org")
    page.fill("#password", "a long enough passphrase")
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/admin/account/two-step?welcome=1")

    # The public site (a new visitor: the first one's browser may keep pages for
    # PUBLIC_CACHE_SECONDS): no sample post, no sample profile, under any name.
    after = browser.new_context(viewport={"width": width, "height": 900})
    reader = after.new_page()
    for path in ["/", "/archive", "/about", "/search?q=blood+pressure"]:
        reader.goto(live_server.url + path)
        text = reader.locator("body").inner_text()
        assert "Okafor" not in text and SAMPLE_TITLE not in text, path
    response = reader.goto(live_server.url + "/post/understanding-blood-pressure")
    assert response.status == 404
    reader.goto(live_server.url + "/about")
    expect(reader.locator(".author-card__name")).to_have_text("Dr. Jane Doe")
    after.close()

    # The author's dashboard says what became of them.
    page.goto(live_server.url + "/admin/")
    notice = page.locator(".sample-notice")
    if choice.startswith("Keep"):
        expect(notice).to_contain_text("4 sample posts to look at")
        page.goto(live_server.url + "/post/understanding-blood-pressure")
        expect(page.locator(".notice--sample")).to_contain_text("Sample post.")
        expect(page.locator(".byline")).to_contain_text("Dr. Maya Okafor")
        expect(page.locator(".byline")).not_to_contain_text("Jane Doe")
    else:
        expect(notice).to_have_count(0)
        expect(page.get_by_text("No posts yet")).to_be_visible()
    context.close()


@pytest.fixture
def author_page(browser, live_server, live_app):
    with live_app.app_context():
        author = Author(
            name="Dr. Ada Lovelace",
            credentials="MD, Cardiology",
            email="ada@example.org",
            password_hash=generate_password_hash(PASSWORD),
        )
        db.session.add(author)
        db.session.flush()
        post = Post(
            author=author,
            title="Statins after seventy",
            slug="statins-after-seventy",
            body_md="## Who benefits\n\nThe evidence is mixed.",
            body_html='<h2 id="who-benefits">Who benefits</h2>\n<p>The evidence is mixed.</p>',
            status=PostStatus.DRAFT,
        )
        db.session.add(post)
        db.session.commit()
        post_id = post.id
        db.session.remove()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_page(page, live_server.url, "ada@example.org", PASSWORD)
    page.post_id = post_id
    yield page
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_review_link_opens_the_draft_signed_out_until_it_is_revoked(
    browser, live_server, live_app, author_page, width
):
    page = author_page
    page.goto(f"{live_server.url}/admin/posts/{page.post_id}/edit")
    page.fill("#review-link-label", "Dr. Sam Lee")
    page.get_by_role("button", name="Create a review link").click()
    expect(page.get_by_role("heading", name="Your review link")).to_be_visible()
    url = page.input_value("#review-link-url")
    assert re.fullmatch(re.escape(live_server.url) + r"/review/[A-Za-z0-9_-]{43}", url)

    colleague_context = browser.new_context(viewport={"width": width, "height": 900})
    colleague = colleague_context.new_page()
    response = colleague.goto(url)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    expect(colleague.locator(".notice--review")).to_contain_text("Draft for review.")
    expect(colleague.locator("h1")).to_have_text("Statins after seventy")
    expect(colleague.locator("#comment-form")).to_have_count(0)
    expect(colleague.locator("#comments")).to_have_count(0)
    expect(colleague.locator("form")).to_have_count(1)  # the site's search box only
    expect(colleague.locator("a[href^='/admin']")).to_have_count(0)
    assert page_problems(colleague) == []
    overflow = colleague.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

    # Revoked from the editor's panel: the link stops working at once.
    page.goto(f"{live_server.url}/admin/posts/{page.post_id}/edit")
    panel = page.locator(".review-links")
    expect(panel).to_contain_text("Dr. Sam Lee")
    panel.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.locator("#save-status")).to_contain_text("was revoked")  # beside the buttons
    expect(page.locator(".review-links__item")).to_have_count(0)
    response = colleague.goto(url)
    assert response.status == 410
    expect(colleague.locator("h1")).to_have_text("This review link was revoked")
    expect(colleague.get_by_text("Statins after seventy")).to_have_count(0)
    colleague_context.close()
    with live_app.app_context():
        assert db.session.scalar(select(Post.view_count)) == 0
        db.session.remove()
