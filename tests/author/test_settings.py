"""The settings page: site, profile and comment policy, validated."""

import pytest

from blog.extensions import db
from blog.models import Author, Moderation, Settings
from tests.conftest import page_text


def settings_form(**fields):
    data = {
        "site_title": "Heart Notes",
        "tagline": "From the clinic",
        "timezone": "Europe/London",
        "about_md": "I am a **cardiologist**.",
        "name": "Dr. Ada Lovelace",
        "credentials": "MD, FRCP",
        "job_title": "Consultant cardiologist",
        "bio_md": "Twenty years in *cardiology*.",
        "disclaimer": "Not medical advice.",
        "comments_enabled": "y",
        "moderation": Moderation.HOLD_ALL,
        "close_comments_after_days": "30",
        "show_views": "y",
        "blocklist": "casino\nspam.example",
        "same_as": "https://orcid.org/0000-0001\nhttp://example.org/me",
        "review_after_months": "18",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_settings_are_saved_and_rendered(author_client, author, client):
    response = author_client.post("/admin/settings", data=settings_form())
    assert response.status_code == 303
    settings = Settings.current()
    assert settings.id is not None
    assert (settings.site_title, settings.timezone) == ("Heart Notes", "Europe/London")
    assert "<strong>cardiologist</strong>" in settings.about_html
    assert settings.moderation == Moderation.HOLD_ALL
    assert settings.close_comments_after_days == 30
    assert settings.show_views and not settings.show_likes and settings.comments_enabled
    assert settings.blocklist_entries == ["casino", "spam.example"]
    assert settings.same_as_urls == ["https://orcid.org/0000-0001", "http://example.org/me"]
    person = db.session.get(Author, author.id)
    assert (person.name, person.credentials) == ("Dr. Ada Lovelace", "MD, FRCP")
    assert "<em>cardiology</em>" in person.bio_html
    assert "Heart Notes" in page_text(client.get("/"))


def test_settings_page_shows_current_values(author_client):
    text = page_text(author_client.get("/admin/settings"))
    assert "Notes from clinic" in text and "Dr. Ada Lovelace" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"timezone": ""}, "Choose a time zone."),
        ({"site_title": ""}, "The site needs a title."),
        ({"name": ""}, "Readers need to know who writes."),
        ({"same_as": "javascript:alert(1)"}, "is not a web address"),
        ({"same_as": "ftp://example.org"}, "is not a web address"),
        ({"close_comments_after_days": "0"}, "from 1 to 3650"),
        ({"close_comments_after_days": "soon"}, "Not a valid integer"),
        ({"moderation": "whatever"}, "Not a valid choice"),
    ],
)
def test_bad_settings_are_refused_and_the_text_kept(author_client, fields, message):
    response = author_client.post(
        "/admin/settings", data=settings_form(about_md="My carefully written page", **fields)
    )
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "My carefully written page" in text
    assert Settings.current().site_title == "Rounds"


def test_empty_close_after_keeps_comments_open(author_client):
    author_client.post("/admin/settings", data=settings_form(close_comments_after_days=""))
    assert Settings.current().close_comments_after_days is None


def test_a_request_without_the_optional_fields_saves_them_empty(author_client):
    left_out = dict.fromkeys(
        ("tagline", "about_md", "credentials", "job_title", "bio_md", "disclaimer", "blocklist"),
        None,
    )
    response = author_client.post("/admin/settings", data=settings_form(same_as=None, **left_out))
    assert response.status_code == 303
    settings = Settings.current()
    assert settings.same_as == "" and settings.tagline == "" and settings.about_html == ""
    assert db.session.scalar(db.select(Author.bio_md)) == ""
