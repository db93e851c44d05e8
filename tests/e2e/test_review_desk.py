"""Medical review at the desk in a real browser: choosing a post's reviewer in the editor,
correcting and deleting reviewers on their page, "Reviewed today" from the dashboard, and
the keyboard's path through the editor."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import PostStatus, Reviewer, Revision, RevisionKind
from blog.posts.reviews import local_today
from tests.e2e.test_editor_desk import add_post

SIZES = {390: {"width": 390, "height": 844}, 1280: {"width": 1280, "height": 900}}


def add_colleague(live_app, name="Dr. Sam Lee", credentials="MD, Cardiology") -> None:
    with live_app.app_context():
        db.session.add(Reviewer(name=name, credentials=credentials, url="https://h.example/sam"))
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("width", [390, 1280])
def test_choose_a_reviewer_then_correct_them_on_the_reviewers_page(
    signed_in_page, live_server, live_app, width
):
    page = signed_in_page
    page.set_viewport_size(SIZES[width])
    add_colleague(live_app)
    post_id = add_post(
        live_app, title="Salt", status=PostStatus.PUBLISHED, published_at=utcnow(), medical=True
    )
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    page.get_by_label("Medically reviewed by").select_option(label="Dr. Sam Lee, MD, Cardiology")
    page.get_by_role("button", name="Update", exact=True).last.click()
    expect(page.locator("#save-status")).to_have_text("Updated: readers see the new version.")
    expect(page.locator("#reviewer option:checked")).to_have_text("Dr. Sam Lee, MD, Cardiology")
    reader = page.context.new_page()
    reader.goto(live_server.url + "/post/salt")
    expect(reader.locator(".review-note")).to_contain_text("Medically reviewed by Dr. Sam Lee, MD")

    # Corrected on the reviewers page, reached from the editor: the post follows.
    page.get_by_role("link", name="Edit or delete reviewers").click()
    expect(page.locator("main")).to_contain_text("Named on 1 post")
    page.get_by_role("link", name="Edit Dr. Sam Lee").click()
    page.get_by_label("Name").fill("Dr. Samuel Lee")
    page.get_by_label("Profile page").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field--error")).to_contain_text("starting with https://")
    expect(page.get_by_label("Name")).to_have_value("Dr. Samuel Lee")  # her typing kept
    page.get_by_label("Profile page").fill("https://h.example/samuel")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash")).to_contain_text("Dr. Samuel Lee was saved")
    reader.goto(live_server.url + "/post/salt")
    note = reader.locator(".review-note")
    expect(note).to_contain_text("Medically reviewed by Dr. Samuel Lee, MD")
    expect(note.get_by_role("link", name="Dr. Samuel Lee")).to_have_attribute(
        "href", "https://h.example/samuel"
    )

    # Deleted after a warning that names the post: the credit goes, the post stays.
    page.get_by_role("link", name="Delete… Dr. Samuel Lee").click()
    expect(page.locator(".confirm")).to_contain_text("1 post names Dr. Samuel Lee")
    expect(page.locator(".confirm").get_by_role("link", name="Salt")).to_be_visible()
    page.get_by_role("button", name="Delete and remove the credit").click()
    expect(page.locator(".flash")).to_contain_text("The credit was removed from 1 post.")
    expect(page.locator("main")).to_contain_text("No reviewers yet")
    reader.goto(live_server.url + "/post/salt")
    expect(reader.locator(".review-note")).to_have_count(0)
    # The refused save (400) is logged by the browser; no script failed.
    assert [e for e in page.js_errors if "status of 400" not in e] == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_reviewed_today_from_the_dashboard(signed_in_page, live_server, live_app, scheme):
    page = signed_in_page
    page.emulate_media(color_scheme=scheme)
    two_years = utcnow() - timedelta(days=730)
    post_id = add_post(
        live_app,
        title="Statins at 75",
        status=PostStatus.PUBLISHED,
        published_at=two_years,
        medical=True,
        last_reviewed=two_years.date(),
    )
    page.goto(live_server.url + "/admin/")
    # The page ends with its footer (the chart's hidden table adds no length).
    assert page.evaluate(
        "document.documentElement.scrollHeight"
        " <= Math.ceil(document.querySelector('.site-footer').getBoundingClientRect().bottom"
        " + scrollY)"
    )
    due = page.get_by_role("region", name="Due for review")
    expect(due).to_contain_text("Statins at 75")
    due.get_by_role("button", name="Reviewed today").click()
    expect(page.locator(".flash")).to_contain_text("“Statins at 75” is marked as reviewed on")
    expect(page.get_by_role("region", name="Due for review")).to_have_count(0)
    with live_app.app_context():
        revisions = db.session.query(Revision).filter_by(post_id=post_id).all()
        assert [r.kind for r in revisions][-1:] == [RevisionKind.REVIEW]
        today = local_today().isoformat()
        db.session.remove()
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    expect(page.get_by_label("Last reviewed")).to_have_value(today)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_keyboard_goes_through_the_editor_in_reading_order(
    signed_in_page, live_server, live_app, width
):
    page = signed_in_page
    page.set_viewport_size(SIZES[width])
    post_id = add_post(live_app)
    page.goto(live_server.url + f"/admin/posts/{post_id}/edit")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the text")).to_be_focused()
    # Past the admin navigation: the action bar, the title, the switch (narrow screens),
    # the toolbar as one stop, the text, then the post's settings.
    page.get_by_role("link", name="Revisions").focus()
    stops = []
    for _ in range(8):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.id || e.getAttribute('aria-label') || e.textContent.trim(); })()"
            )
        )
        if stops[-1] == "slug":
            break
    switch = ["tab-write"] if width == 390 else []
    assert stops == ["Save draft", "Schedule", "Publish", "title", *switch, "Bold", "body", "slug"]
    # Back from the text to the buttons in a few steps.
    page.locator("#body").focus()
    for _ in range(3 + len(switch)):
        page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Publish", exact=True)).to_be_focused()
