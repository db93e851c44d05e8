"""Head tags and schema.org data on post pages and the home page."""

import io
import re
from datetime import date

import html5lib
import pytest
from PIL import Image

from blog.content import typographic
from blog.extensions import db
from blog.models import Author, Media, Reviewer, Settings
from tests.html_checks import json_ld

ROOT = "https://blog.example.org"


@pytest.fixture
def config_overrides():
    return {"SITE_URL": ROOT, "TRUSTED_HOSTS": ["localhost", "blog.example.org"]}


@pytest.fixture
def physician(app):
    person = Author(
        name="Dr. Maya Okafor",
        credentials="MD, Internal Medicine",
        job_title="",
        email="maya@example.org",
        password_hash="signs in",  # the blog's author, not a sample profile
    )
    db.session.add(person)
    settings = Settings.current()
    settings.site_title = "Clinic Notes"
    settings.same_as = "https://orcid.org/0000-0002\n\nhttps://www.linkedin.com/in/maya\n"
    db.session.add(settings)
    db.session.commit()
    return person


@pytest.fixture
def cover(app):
    media = Media(
        name="3f9ce1",
        alt="A cuff on an arm",
        width=1600,
        height=900,
        format="jpeg",
        variant_widths=[480, 960, 1600],
    )
    db.session.add(media)
    db.session.commit()
    return media


def head_tags(page: str) -> dict[str, list[str]]:
    """Every <meta> in the head as {property-or-name: [content, ...]}, plus link rels."""
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name")
        if key:
            found.setdefault(key, []).append(meta.get("content"))
    for link in tree.iter("link"):
        found.setdefault("link:" + link.get("rel"), []).append(link.get("href"))
    return found


def test_post_head_has_title_description_canonical_open_graph_and_twitter(
    client, make_post, physician, cover
):
    post = make_post(
        "Blood pressure basics",
        author=physician,
        tags="Heart, Prevention",
        meta_description="What the two numbers mean.",
        cover_media_id=cover.id,
    )
    page = client.get("/post/blood-pressure-basics").text
    assert "<title>Blood pressure basics · Clinic Notes</title>" in page
    tags = head_tags(page)
    url = f"{ROOT}/post/blood-pressure-basics"
    image = f"{ROOT}/media/3f9ce1-1600.jpg"
    assert tags["description"] == ["What the two numbers mean."]
    assert tags["link:canonical"] == [url]
    assert tags["og:type"] == ["article"]
    assert tags["og:title"] == ["Blood pressure basics"]
    assert tags["og:description"] == ["What the two numbers mean."]
    assert tags["og:url"] == [url]
    assert tags["og:site_name"] == ["Clinic Notes"]
    assert tags["og:image"] == [image]
    assert tags["og:image:alt"] == ["A cuff on an arm"]
    assert tags["twitter:card"] == ["summary_large_image"]
    assert tags["twitter:image"] == [image]
    assert tags["article:published_time"] == [post.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")]
    assert tags["article:modified_time"] == [post.modified_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")]
    assert tags["article:tag"] == ["Heart", "Prevention"]


def test_without_a_cover_the_card_shows_the_share_picture(app, client, make_post):
    make_post("Plain", body="First paragraph here.\n\nSecond.")
    tags = head_tags(client.get("/post/plain").text)
    assert tags["twitter:card"] == ["summary_large_image"]
    [image] = tags["og:image"]
    assert tags["twitter:image"] == [image] and json_ld(client.get("/post/plain").text)[0][
        "image"
    ] == {"@type": "ImageObject", "url": image, "width": 1200, "height": 630}
    assert tags["og:image:width"] == ["1200"] and tags["og:image:height"] == ["630"]
    assert tags["og:image:alt"] == ["Plain, by Dr. Test, MD (Rounds)"]
    response = client.get(image.removeprefix(ROOT))
    assert response.status_code == 200 and response.mimetype == "image/png"
    with Image.open(io.BytesIO(response.data)) as picture:
        assert picture.format == "PNG" and picture.size == (1200, 630)
    assert tags["description"] == ["First paragraph here."]
    assert tags["og:description"] == ["First paragraph here."]


def test_blog_posting_structured_data(client, make_post, physician, cover):
    post = make_post(
        "Sleep and the heart",
        author=physician,
        tags="Sleep, Heart",
        excerpt="How sleep protects the heart.",
        last_reviewed=date(2026, 11, 1),
        reviewer=Reviewer(name="Dr. Sam Lee", credentials="MD"),
        cover_media_id=cover.id,
    )
    (data,) = json_ld(client.get("/post/sleep-and-the-heart").text)
    url = f"{ROOT}/post/sleep-and-the-heart"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Sleep and the heart"
    assert data["description"] == "How sleep protects the heart."
    assert data["url"] == url
    assert data["datePublished"] == post.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert data["dateModified"] == post.modified_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert data["keywords"] == ["Heart", "Sleep"]
    assert data["author"] == {
        "@type": "Person",
        "name": "Dr. Maya Okafor",
        "url": f"{ROOT}/about",
        "honorificSuffix": "MD",
        "jobTitle": "Internal Medicine",
        "sameAs": ["https://orcid.org/0000-0002", "https://www.linkedin.com/in/maya"],
    }
    assert data["publisher"] == {"@type": "Organization", "name": "Clinic Notes", "url": f"{ROOT}/"}
    assert data["image"] == {
        "@type": "ImageObject",
        "url": f"{ROOT}/media/3f9ce1-1600.jpg",
        "width": 1600,
        "height": 900,
    }
    # lastReviewed and reviewedBy belong to the WebPage the posting is the main entity of.
    assert data["mainEntityOfPage"] == {
        "@type": "WebPage",
        "@id": url,
        "lastReviewed": "2026-11-01",
        "reviewedBy": {"@type": "Person", "name": "Dr. Sam Lee", "honorificSuffix": "MD"},
    }
    assert "audience" not in data


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("patients", {"@type": "PeopleAudience", "audienceType": "Patient"}),
        ("clinicians", {"@type": "MedicalAudience", "audienceType": "Clinician"}),
    ],
)
def test_medical_posts_are_medical_web_pages_with_their_audience(
    client, make_post, physician, audience, expected
):
    make_post(
        "Statin dosing",
        author=physician,
        medical=True,
        audience=audience,
        last_reviewed=date(2026, 10, 2),
        reviewer=Reviewer(name="Dr. Sam Lee"),
    )
    (data,) = json_ld(client.get("/post/statin-dosing").text)
    assert data["@type"] == ["MedicalWebPage", "BlogPosting"]  # a medical page, an article
    assert data["audience"] == expected
    assert data["lastReviewed"] == "2026-10-02"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr. Sam Lee"}
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": f"{ROOT}/post/statin-dosing"}
    assert data["image"]["url"].endswith("-1200.png")  # its share picture


def test_job_title_wins_and_no_reviewer_means_no_reviewed_by(client, make_post):
    person = Author(name="Dr. Jo", credentials="DO", job_title="Family physician")
    db.session.add(person)
    make_post("No reviewer", author=person, last_reviewed=date(2026, 9, 9))
    (data,) = json_ld(client.get("/post/no-reviewer").text)
    assert data["author"]["honorificSuffix"] == "DO"
    assert data["author"]["jobTitle"] == "Family physician"
    assert "sameAs" not in data["author"]
    assert data["mainEntityOfPage"]["lastReviewed"] == "2026-09-09"
    assert "reviewedBy" not in data["mainEntityOfPage"]


def test_a_hostile_title_cannot_break_out_of_the_json_ld_script(client, make_post):
    title = '</script><script>alert(1)</script> & <!-- "quotes" \u2028'
    make_post(title, slug="hostile", tags="</script>")
    page = client.get("/post/hostile").text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    (data,) = json_ld(page)
    assert data["headline"] == typographic(title)
    assert data["keywords"] == ["</script>"]
    assert page.count("<script") == page.count("</script>")
    assert "<script>alert(1)" not in page


def test_home_has_website_structured_data_with_a_search_action(client, physician):
    page = client.get("/").text
    (data,) = json_ld(page)
    assert data["@type"] == "WebSite"
    assert data["name"] == "Clinic Notes"
    assert data["url"] == f"{ROOT}/"
    action = data["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == f"{ROOT}/search?q={{search_term_string}}"
    assert action["query-input"] == "required name=search_term_string"
    assert head_tags(page)["link:canonical"] == [f"{ROOT}/"]


def test_search_results_are_not_indexed(client):
    assert head_tags(client.get("/search?q=x").text)["robots"] == ["noindex, follow"]


@pytest.mark.parametrize(
    "path, kind, canonical",
    [
        ("/", "WebSite", "/"),
        ("/tag/heart", "CollectionPage", "/tag/heart"),
        ("/archive", "CollectionPage", "/archive"),
        ("/search?q=heart", "SearchResultsPage", "/search"),
        ("/about", "AboutPage", "/about"),
    ],
)
def test_every_page_type_has_canonical_open_graph_twitter_and_json_ld(
    client, make_post, path, kind, canonical
):
    make_post("Heart health", tags="Heart")
    page = client.get(path).text
    tags = head_tags(page)
    assert tags["link:canonical"] == [ROOT + canonical]
    assert tags["og:url"] == [ROOT + canonical]
    assert tags["og:title"][0] and tags["og:description"][0] and tags["twitter:card"]
    assert tags["description"] == tags["og:description"] == tags["twitter:description"]
    (data,) = json_ld(page)
    assert data["@type"] == kind and data["url"] == ROOT + canonical
    assert ("noindex, follow" in tags.get("robots", [])) == path.startswith("/search")


def test_the_about_page_has_its_own_description(client, author):
    settings = Settings.current()
    settings.tagline = "Notes from clinic"
    settings.about_md = "I am a family physician in Leeds.\n\nMore."
    settings.about_html = "<p>I am a family physician in Leeds.</p><p>More.</p>"
    db.session.add(settings)
    tags = head_tags(client.get("/about").text)
    assert tags["description"] == ["I am a family physician in Leeds."]
    (data,) = json_ld(client.get("/about").text)
    assert data["mainEntity"]["@type"] == "Person" and data["mainEntity"]["name"] == author.name
