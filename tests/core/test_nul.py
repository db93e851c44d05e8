"""NUL characters and XML control characters from readers and the author break nothing."""

import xml.etree.ElementTree as ET

import pytest

from blog.models import Moderation
from tests.comment_helpers import FAST_FORMS, change_settings, comments, post_comment


@pytest.fixture
def config_overrides():
    return dict(FAST_FORMS)


def test_nul_in_a_comment_is_removed_before_it_is_stored(client, make_post):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Sleep")
    response = post_comment(client, post, name="Ann\x00ie", body="Good\x00 read")
    assert response.status_code == 303
    [comment] = comments()
    assert comment.author_name == "Annie"
    assert comment.body_md == "Good read"


def test_nul_in_a_search_or_query_string_is_harmless(client, make_post):
    make_post("Sleep")
    assert client.get("/search?q=sle%00ep").status_code == 200
    assert client.get("/?page=1%00").status_code in (200, 404)


@pytest.mark.parametrize("path", ["/post/%00", "/tag/a%00b", "/tag/%00/feed.xml"])
def test_nul_in_a_path_is_404(client, path):
    assert client.get(path).status_code == 404


def test_a_tag_with_control_characters_keeps_the_feed_well_formed(client, make_post):
    make_post("Sleep", tags="rest\x0bful, night\x01")
    for path in ("/feed.xml", "/tag/rest-ful/feed.xml"):
        response = client.get(path)
        assert response.status_code == 200, path
        ET.fromstring(response.data)  # raises on a character XML cannot carry
