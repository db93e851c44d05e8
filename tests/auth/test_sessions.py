"""The author's sessions live on the server: signing out ends them wherever the cookie
went, and idle and absolute lifetimes end them on their own."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blog.extensions import db
from blog.models import AuthorSession
from tests.conftest import page_text, sign_in

PASSWORD = "correct horse battery"
UA_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
UA_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1"
)
SIGN_IN = {"email": "ada@example.org", "password": PASSWORD}


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else ""


def copy_cookie(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", session_cookie(client))
    return thief


def age_sessions(created=True, **delta) -> None:
    """Move every session's times back, as if that much time had passed."""
    for row in db.session.scalars(select(AuthorSession)):
        row.last_seen_at -= timedelta(**delta)
        if created:
            row.created_at -= timedelta(**delta)
    db.session.commit()


def test_sign_out_ends_a_copied_cookie(app, client, author):
    assert client.post("/login", data=SIGN_IN).status_code == 303
    thief = copy_cookie(app, client)
    assert thief.get("/admin/").status_code == 200
    client.post("/logout")
    assert thief.get("/admin/").status_code == 302
    assert db.session.scalar(select(func.count(AuthorSession.id))) == 0


def test_signing_in_starts_a_fresh_session(client, author):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.post("/login", data=SIGN_IN)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_a_plain_session_cookie_ends_with_the_browser(client, author):
    client.post("/login", data=SIGN_IN)
    assert client.get_cookie("session").expires is None


def test_keep_me_signed_in_gives_a_lasting_cookie(client, author):
    client.post("/login", data={**SIGN_IN, "remember": "y"})
    assert client.get_cookie("session").expires is not None
    assert db.session.scalar(select(AuthorSession.remember)) is True


def test_the_login_page_offers_to_keep_the_author_signed_in(client):
    assert "Keep me signed in on this device" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    ("remember", "idle", "signed_in"),
    [
        (False, {"minutes": 200}, True),
        (False, {"minutes": 250}, False),  # SESSION_IDLE_MINUTES = 240
        (True, {"days": 13}, True),
        (True, {"days": 15}, False),  # REMEMBER_IDLE_DAYS = 14
    ],
)
def test_an_idle_session_ends(client, author, remember, idle, signed_in):
    sign_in(client, author, remember=remember)
    age_sessions(**idle)
    assert client.get("/admin/").status_code == (200 if signed_in else 302)


def test_even_a_busy_session_ends_after_its_absolute_lifetime(client, author):
    sign_in(client, author, remember=True)
    for row in db.session.scalars(select(AuthorSession)):
        row.created_at -= timedelta(days=31)
    db.session.commit()
    assert client.get("/admin/").status_code == 302


def test_use_keeps_a_session_alive(client, author):
    sign_in(client, author)
    age_sessions(minutes=200)
    assert client.get("/admin/").status_code == 200  # touches it
    age_sessions(minutes=200)  # 400 minutes since sign-in, 200 since last use
    assert client.get("/admin/").status_code == 200


def test_a_forged_session_id_is_refused(app, client, author):
    sign_in(client, author)
    forger = app.test_client()
    with forger.session_transaction() as session:
        session["_user_id"] = f"{author.id}:{'A' * 43}"
    assert forger.get("/admin/").status_code == 302


def test_the_account_page_lists_the_signed_in_browsers(app, client, author):
    client.post("/login", data=SIGN_IN, headers={"User-Agent": UA_FIREFOX})
    phone = app.test_client()
    phone.post("/login", data={**SIGN_IN, "remember": "y"}, headers={"User-Agent": UA_IPHONE})
    text = page_text(client.get("/admin/account", headers={"User-Agent": UA_FIREFOX}))
    assert 'Firefox on Linux <span class="badge">This browser</span>' in text
    assert "Safari on iPhone" in text and "kept signed in" in text


def test_sign_out_everywhere_else_keeps_this_browser(app, client, author):
    client.post("/login", data=SIGN_IN)
    other = app.test_client()
    other.post("/login", data=SIGN_IN)
    response = client.post("/admin/account/sign-out-others", follow_redirects=True)
    assert "Signed out everywhere else (1 other browser)" in page_text(response)
    assert client.get("/admin/").status_code == 200
    assert other.get("/admin/").status_code == 302


def test_sign_out_everywhere_ends_this_browser_too(app, client, author):
    client.post("/login", data=SIGN_IN)
    thief = copy_cookie(app, client)
    response = client.post("/admin/account/sign-out-everywhere")
    assert response.headers["Location"] == "/login"
    assert client.get("/admin/").status_code == 302
    assert thief.get("/admin/").status_code == 302


def test_expired_sessions_are_removed_by_purge(client, author, runner):
    sign_in(client, author)
    age_sessions(days=31)
    assert "Removed 1 expired sign-in sessions" in runner.invoke(args=["purge"]).output
    assert db.session.scalar(select(func.count(AuthorSession.id))) == 0
