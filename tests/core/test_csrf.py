"""CSRF over the whole URL map: only the reader's endpoints are exempt from the global
check (their page is the same for every reader); the comment form checks the signed-in
author's token itself."""

import pytest

from blog.extensions import csrf
from blog.models import Moderation
from tests.comment_helpers import BROWSER, FAST_FORMS, change_settings, comments, form_data
from tests.conftest import page_text, sign_in


@pytest.fixture
def config_overrides():
    return {"WTF_CSRF_ENABLED": True, **FAST_FORMS}


def test_only_the_readers_endpoints_are_exempt_from_the_global_check(app):
    exempt = {name.rsplit(".", 1)[-1] for name in csrf._exempt_views}
    exempt_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__name__ in exempt
    }
    assert exempt_endpoints == {
        "public.comment",
        "public.like",
        "public.seen",
        "public.subscribe",
        "public.confirm_subscription",
        "public.unsubscribe",
    }


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_comment_without_a_valid_token_is_refused_and_kept(app, client, author, make_post, token):
    change_settings(moderation=Moderation.OPEN)
    post = make_post("Sleep")
    sign_in(client, author)  # the author's session is what CSRF abuses
    data = form_data(post, body="Posted by a hostile page")
    if token:
        data["csrf_token"] = token
    response = client.post(f"/post/{post.slug}/comments", data=data, headers=BROWSER)
    assert response.status_code == 400
    assert "Posted by a hostile page" in page_text(response)
    assert comments() == []
