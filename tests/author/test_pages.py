"""The author's own pages (Contact, Clinic hours...) and the menu she orders in Settings."""

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import Page, Settings
from tests.conftest import page_text

CONTACT = {"title": "Contact", "slug": "", "body": "Call **0113 496 0000**.", "status": "published"}


def new_page(client, **fields):
    return client.post("/admin/pages/new", data={**CONTACT, **fields})


def only_page() -> Page:
    return db.session.scalar(select(Page))


def test_pages_require_sign_in(client):
    for path in ("/admin/pages", "/admin/pages/new"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_new_page_is_rendered_stored_and_published(author_client, client):
    response = new_page(author_client, in_menu="y")
    page = only_page()
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/pages/{page.id}/edit"
    assert page.slug == "contact" and page.published
    assert page.body_html == "<p>Call <strong>0113 496 0000</strong>.</p>"
    assert Settings.current().menu == f"home archive about page:{page.id}"
    listing = page_text(author_client.get("/admin/pages"))
    assert "Contact" in listing and "/page/contact · Published · in the menu" in listing


def test_the_preview_renders_without_saving(author_client):
    response = new_page(author_client, intent="preview", body="## Hours\n\nMonday to Friday.")
    assert response.status_code == 200
    text = page_text(response)
    preview = text.split("Preview (not saved yet)</h2>")[1]
    assert '<h2 id="hours"' in preview and "<p>Monday to Friday.</p>" in preview
    assert "Monday to Friday.</textarea>" in text
    assert db.session.scalar(select(func.count(Page.id))) == 0


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    ],
)
def test_unsafe_markdown_is_sanitised(author_client, client, body):
    new_page(author_client, body=body)
    html = only_page().body_html
    for bad in ("<script", "onerror", "javascript:", "<iframe", "data:text"):
        assert bad not in html
    assert "<script>alert" not in client.get("/page/contact").get_data(as_text=True)


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("about", "“about” is already an address of the site."),
        ("tag", "“tag” is already an address of the site."),
        ("Admin", "“admin” is already an address of the site."),
    ],
)
def test_a_slug_that_clashes_with_the_sites_own_addresses_is_refused(author_client, slug, message):
    response = new_page(author_client, slug=slug, body="Kept text")
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "Kept text</textarea>" in text
    assert only_page() is None


@pytest.mark.parametrize("slug", ["..", "...", "%%", "—"])
def test_a_typed_slug_with_nothing_to_make_an_address_from_is_refused_as_typed(author_client, slug):
    response = new_page(author_client, slug=slug, body="Kept text")
    assert response.status_code == 400
    text = page_text(response)
    assert f"“{slug}” has no letters or digits to make an address from." in text
    assert "“post”" not in text and "Kept text</textarea>" in text
    assert only_page() is None


def test_a_pages_title_gets_typographic_quotes_as_its_text_does(author_client, client):
    new_page(author_client, title='Who we\'re for -- "new" patients...', slug="who", in_menu="y")
    text = page_text(client.get("/page/who"))
    curly = "Who we’re for – “new” patients…"
    assert f"<title>{curly} · " in text
    assert f"{curly}</h1>" in text
    assert f'<meta property="og:title" content="{curly}">' in text
    assert f'<meta name="twitter:title" content="{curly}">' in text
    assert f'aria-current="page">{curly}</a>' in text
    assert "we&#39;re" not in text and "&#34;new" not in text


def test_a_slug_another_page_has_is_refused_and_a_title_gets_a_number(author_client):
    new_page(author_client)
    response = new_page(author_client, slug="contact")
    assert response.status_code == 400
    assert "Another page already has the address “contact”." in page_text(response)
    new_page(author_client)  # the same title, no slug typed
    slugs = db.session.scalars(select(Page.slug).order_by(Page.id)).all()
    assert slugs == ["contact", "contact-2"]


def test_a_page_titled_like_a_site_address_gets_its_own(author_client):
    new_page(author_client, title="Search")
    assert only_page().slug == "search-page"


def test_a_title_is_required_and_the_text_is_kept(author_client):
    response = new_page(author_client, title="", body="My clinic hours")
    assert response.status_code == 400
    text = page_text(response)
    assert "Give the page a title." in text and "My clinic hours</textarea>" in text


def test_editing_a_page_and_taking_it_out_of_the_menu(author_client):
    new_page(author_client, in_menu="y")
    page = only_page()
    form = page_text(author_client.get(f"/admin/pages/{page.id}/edit"))
    assert '<input checked id="in_menu" name="in_menu" type="checkbox"' in form
    author_client.post(
        f"/admin/pages/{page.id}/edit",
        data={**CONTACT, "title": "Contact us", "slug": "contact", "status": "draft"},
    )
    db.session.expire_all()
    assert (page.title, page.slug, page.status) == ("Contact us", "contact", "draft")
    assert Settings.current().menu == "home archive about"


def test_deleting_a_page_asks_first_then_removes_it_from_the_menu(author_client, client):
    new_page(author_client, in_menu="y")
    page = only_page()
    confirm = page_text(author_client.get(f"/admin/pages/{page.id}/delete"))
    assert "Delete the page “Contact”?" in confirm and "can't be undone" in confirm
    response = author_client.post(f"/admin/pages/{page.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/pages"
    assert only_page() is None
    assert Settings.current().menu == "home archive about"
    assert client.get("/page/contact").status_code == 404


def test_a_missing_page_is_404_in_admin(author_client):
    assert author_client.get("/admin/pages/99/edit").status_code == 404
    assert author_client.post("/admin/pages/99/delete").status_code == 404


# -- The menu -----------------------------------------------------------------------------


def menu_form(rows: list[tuple[str, bool, str]], **fields) -> dict:
    form = {
        "site_title": "Rounds",
        "timezone": "UTC",
        "name": "Dr. Ada Lovelace",
        "moderation": "hold_first",
        "review_after_months": "12",
        **fields,
    }
    for number, (key, shown, position) in enumerate(rows):
        form[f"menu-{number}-key"] = key
        form[f"menu-{number}-position"] = position
        if shown:
            form[f"menu-{number}-shown"] = "y"
    return form


def header_links(client) -> list[str]:
    nav = page_text(client.get("/")).split('aria-label="Main"')[1].split("</nav>")[0]
    return [part.split("</a>")[0].rsplit(">", 1)[-1] for part in nav.split("<a ")[1:]]


def test_the_default_menu_is_the_header_as_it_was(client):
    assert header_links(client) == ["Posts", "Archive", "About"]


def test_the_settings_page_lists_every_item_the_menu_can_hold(author_client):
    new_page(author_client, title="Clinic hours")
    text = page_text(author_client.get("/admin/settings"))
    table = text.split('class="menu-table"')[1].split("</table>")[0]
    labels = ["Posts", "Archive", "About", "Search", "Feed", "Clinic hours"]
    assert [label for label in labels if f"{label}</th>" in table] == labels
    assert 'checked id="menu-0-shown"' in table
    assert '<input aria-label="Show Search" id="menu-3-shown"' in table  # not checked


def test_the_author_orders_and_hides_menu_items(author_client, client):
    new_page(author_client, title="Clinic hours")
    page = only_page()
    rows = [
        ("home", True, "2"),
        ("archive", False, "3"),
        ("about", True, "4"),
        ("search", False, "5"),
        ("feed", True, "5"),
        (page.menu_key, True, "1"),
    ]
    response = author_client.post("/admin/settings", data=menu_form(rows))
    assert response.status_code == 303
    assert Settings.current().menu == f"{page.menu_key} home about feed"
    author_client.post("/logout")
    assert header_links(client) == ["Clinic hours", "Posts", "About", "Feed"]


def test_a_menu_position_out_of_range_is_refused(author_client):
    response = author_client.post("/admin/settings", data=menu_form([("home", True, "500")]))
    assert response.status_code == 400
    assert "Enter a position from 1 to 99." in page_text(response)
    assert Settings.current().menu == "home archive about"


def test_unknown_menu_keys_are_ignored(author_client):
    rows = [("home", True, "1"), ("page:999", True, "2"), ("javascript:x", True, "3")]
    author_client.post("/admin/settings", data=menu_form(rows))
    assert Settings.current().menu == "home"


def test_a_draft_page_in_the_menu_is_not_shown_to_readers(author_client, client):
    new_page(author_client, in_menu="y", status="draft")
    assert "Only you can see this page" in page_text(author_client.get("/page/contact"))
    author_client.post("/logout")
    assert "Contact" not in header_links(client)
    assert client.get("/page/contact").status_code == 404
