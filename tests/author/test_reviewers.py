"""The reviewers page: the colleagues offered as a post's medical reviewer, added,
corrected (every post naming them follows) and deleted (with the credit removed from the
posts that named them, after a warning that lists those posts)."""

import re

import pytest
from sqlalchemy import select

from blog.extensions import db
from blog.models import Post, Reviewer
from tests.conftest import page_text


def colleague(name="Dr. Sam Lee", credentials="MD, Cardiology", url="") -> Reviewer:
    reviewer = Reviewer(name=name, credentials=credentials, url=url)
    db.session.add(reviewer)
    db.session.commit()
    return reviewer


def shown(response) -> str:
    """The page's words, as one line: tags removed, entities decoded, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", "", page_text(response)).split())


def stored(reviewer_id: int) -> Reviewer | None:
    db.session.expire_all()
    return db.session.get(Reviewer, reviewer_id)


def test_the_page_lists_colleagues_with_their_posts_and_is_reachable(author_client, make_post):
    sam = colleague(url="https://hospital.example/sam")
    colleague("Dr. Kim Park", "PharmD")
    make_post("Salt", reviewer=sam)
    db.session.commit()
    page = shown(author_client.get("/admin/reviewers"))
    assert "Dr. Kim Park, PharmD Not named on any post" in page
    assert "Dr. Sam Lee, MD, Cardiology Named on 1 post · Profile page" in page
    html = author_client.get("/admin/reviewers").get_data(as_text=True)
    assert 'href="https://hospital.example/sam"' in html
    # Reached from Settings and from the editor, where reviewers are chosen.
    for where in ["/admin/settings", "/admin/posts/new"]:
        assert 'href="/admin/reviewers"' in author_client.get(where).get_data(as_text=True)


def test_the_author_herself_is_not_listed(author_client, author):
    author_client.post(
        "/admin/posts/new", data={"title": "Salt", "body": "Less.", "reviewer": "self"}
    )
    assert db.session.scalar(select(Reviewer).where(Reviewer.author_id == author.id))
    page = page_text(author_client.get("/admin/reviewers"))
    assert "No reviewers yet" in page
    mine = db.session.scalar(select(Reviewer).where(Reviewer.author_id == author.id))
    assert author_client.get(f"/admin/reviewers/{mine.id}").status_code == 404
    assert author_client.post(f"/admin/reviewers/{mine.id}/delete").status_code == 404


def test_add_a_reviewer(author_client):
    response = author_client.post(
        "/admin/reviewers",
        data={"name": " Dr. Kim Park ", "credentials": "PharmD", "url": "https://kim.example"},
    )
    assert response.status_code == 303
    kim = db.session.scalar(select(Reviewer))
    assert (kim.name, kim.credentials, kim.url) == ("Dr. Kim Park", "PharmD", "https://kim.example")
    assert "Dr. Kim Park is offered as a reviewer" in page_text(
        author_client.get("/admin/reviewers")
    )
    assert "Dr. Kim Park, PharmD" in page_text(author_client.get("/admin/posts/new"))


def test_a_correction_shows_on_the_posts_that_name_them(author_client, make_post, client):
    sam = colleague()
    make_post("Salt", reviewer=sam, slug="salt")
    db.session.commit()
    page = author_client.get(f"/admin/reviewers/{sam.id}")
    assert 'value="Dr. Sam Lee"' in page_text(page) and "Named on 1 post" in shown(page)
    response = author_client.post(
        f"/admin/reviewers/{sam.id}",
        data={"name": "Dr. Samuel Lee", "credentials": "MD, FRCP", "url": "http://sam.example"},
    )
    assert response.status_code == 303
    assert (stored(sam.id).name, stored(sam.id).url) == ("Dr. Samuel Lee", "http://sam.example")
    assert "Medically reviewed by Dr. Samuel Lee, MD, FRCP" in shown(client.get("/post/salt"))


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://files.example/sam",
        "//sam.example",
        "sam.example",
        "https://a.example\nhttps://b.example",
        "https://sam.example/a b",
        "https://sam.example/\x07",
        "https://sam.example/\u202egnp.exe",
    ],
)
def test_the_profile_page_must_be_an_http_address(author_client, url):
    sam = colleague()
    response = author_client.post(
        f"/admin/reviewers/{sam.id}", data={"name": "Dr. Sam Lee", "credentials": "MD", "url": url}
    )
    assert response.status_code == 400
    page = page_text(response)
    assert "Nothing was saved" in page and "starting with https://" in page
    assert stored(sam.id).url == ""
    added = author_client.post("/admin/reviewers", data={"name": "Dr. Kim Park", "url": url})
    assert added.status_code == 400 and "The reviewer was not added" in page_text(added)
    assert db.session.scalar(select(Reviewer).where(Reviewer.name == "Dr. Kim Park")) is None


def test_a_name_and_credentials_are_one_line_of_plain_text(author_client, make_post, client):
    """Line breaks, tabs and control characters pasted into a name never reach the post's
    review line or its structured data: they become single spaces."""
    response = author_client.post(
        "/admin/reviewers",
        data={"name": "Dr.\r\nKim\x07  Park\t", "credentials": "Pharm\x1bD,\nBCPS"},
    )
    assert response.status_code == 303
    kim = db.session.scalar(select(Reviewer))
    assert (kim.name, kim.credentials) == ("Dr. Kim Park", "Pharm D, BCPS")
    author_client.post(
        f"/admin/reviewers/{kim.id}", data={"name": "Dr. Kim\x0bPark", "credentials": "PharmD\r\n"}
    )
    assert (stored(kim.id).name, stored(kim.id).credentials) == ("Dr. Kim Park", "PharmD")


def test_a_name_is_required_and_what_she_typed_comes_back(author_client):
    sam = colleague()
    response = author_client.post(
        f"/admin/reviewers/{sam.id}", data={"name": "  ", "credentials": "MD, FRCP"}
    )
    assert response.status_code == 400
    assert "Give the reviewer's name." in page_text(response)
    assert 'value="MD, FRCP"' in response.get_data(as_text=True)
    assert stored(sam.id).credentials == "MD, Cardiology"


def test_delete_warns_naming_the_posts_then_removes_the_credit(author_client, make_post, client):
    sam = colleague()
    sam_id = sam.id
    salt = make_post("Salt", reviewer=sam, slug="salt", medical=True)
    make_post("Sleep", reviewer=sam, status="draft")
    db.session.commit()
    confirm = shown(author_client.get(f"/admin/reviewers/{sam.id}/delete"))
    assert "Delete Dr. Sam Lee?" in confirm
    assert "2 posts name Dr. Sam Lee as medical reviewer." in confirm
    assert "Deleting removes that credit" in confirm
    assert "Salt (public)" in confirm and "Sleep" in confirm
    # Asking changed nothing.
    assert stored(sam.id) is not None
    assert "Medically reviewed by Dr. Sam Lee" in shown(client.get("/post/salt"))

    response = author_client.post(f"/admin/reviewers/{sam.id}/delete")
    assert response.status_code == 303
    assert stored(sam_id) is None
    assert "Dr. Sam Lee was deleted. The credit was removed from 2 posts." in page_text(
        author_client.get("/admin/reviewers")
    )
    db.session.expire_all()
    assert db.session.get(Post, salt.id).reviewer_id is None
    assert "Dr. Sam Lee" not in page_text(client.get("/post/salt"))


def test_a_missing_reviewer_is_404(author_client):
    for path in ["/admin/reviewers/999", "/admin/reviewers/999/delete"]:
        assert author_client.get(path).status_code == 404
