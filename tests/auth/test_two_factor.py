"""Two-step sign-in: enrolment with a QR code made on the server, a code after the
password, single-use recovery codes, no replay, and a reset from the shell."""

import re
import time
from urllib.parse import unquote

import pyotp
import pytest
from sqlalchemy import func, select

from blog.accounts import two_factor
from blog.extensions import db
from blog.models import Author, AuthorSession, RecoveryCode
from tests.conftest import page_text, sign_in

PASSWORD = "correct horse battery"
RIGHT = {"email": "ada@example.org", "password": PASSWORD}


@pytest.fixture
def secured(author):
    """The author with two-step sign-in on; returns (secret, recovery codes)."""
    secret = pyotp.random_base32()
    author.totp_secret = secret
    codes = two_factor.new_recovery_codes(author)
    db.session.commit()
    return secret, codes


def previous_code(secret: str) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() - totp.interval)


def test_enrolment_shows_a_qr_code_and_needs_a_first_code(author_client, author):
    page = author_client.get("/admin/account/two-step")
    html = page.get_data(as_text=True)
    qr = re.search(
        r'<img class="two-step__qr" src="data:image/svg\+xml;charset=utf-8,([^"]+)"', html
    )
    assert qr, "the QR code is an SVG made by the server"
    svg = unquote(qr.group(1))
    assert svg.startswith("<svg") and "<script" not in svg
    secret = re.search(r'<code class="two-step__secret">([A-Z2-7 ]+)</code>', html).group(1)
    secret = secret.replace(" ", "")

    wrong = author_client.post(
        "/admin/account/two-step", data={"code": "000000", "password": PASSWORD}
    )
    assert wrong.status_code == 400 and "doesn't match" in page_text(wrong)
    no_password = author_client.post(
        "/admin/account/two-step", data={"code": pyotp.TOTP(secret).now(), "password": "guess"}
    )
    assert no_password.status_code == 400 and "isn't your password" in page_text(no_password)
    assert db.session.get(Author, author.id).totp_secret is None
    assert secret not in str(author_client.get_cookie("session").value)  # never in the cookie
    again = author_client.get("/admin/account/two-step").get_data(as_text=True)
    assert secret in again.replace(" ", "")  # the same key on every reload of the page

    code = pyotp.TOTP(secret).now()
    done = author_client.post("/admin/account/two-step", data={"code": code, "password": PASSWORD})
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(True))
    assert done.status_code == 200 and len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    assert db.session.get(Author, author.id).totp_secret == secret
    assert "On." in page_text(author_client.get("/admin/account"))


def test_setup_offers_two_step_sign_in_at_once(app, client):
    from tests.auth.test_auth import setup_form

    response = client.post("/setup", data=setup_form(app), follow_redirects=True)
    text = page_text(response)
    assert "Turn on two-step sign-in" in text and "Skip for now" in text


def test_the_password_alone_no_longer_signs_in(client, secured):
    response = client.post("/login", data=RIGHT)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/admin/").status_code == 302
    assert db.session.scalar(select(func.count(AuthorSession.id))) == 0


def test_the_code_completes_the_sign_in_once(app, client, secured):
    secret, _ = secured
    client.post("/login", data=RIGHT)
    code = pyotp.TOTP(secret).now()
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    replay = app.test_client()  # someone who saw the code over her shoulder
    replay.post("/login", data=RIGHT)
    assert replay.post("/login/code", data={"code": code}).status_code == 401


def test_a_code_from_the_previous_step_is_accepted_for_clock_drift(client, secured):
    secret, _ = secured
    client.post("/login", data=RIGHT)
    assert client.post("/login/code", data={"code": previous_code(secret)}).status_code == 303


def test_a_recovery_code_works_once(app, client, secured):
    _, codes = secured
    client.post("/login", data=RIGHT)
    response = client.post("/login/code", data={"code": codes[3].upper()}, follow_redirects=True)
    assert "9 left" in page_text(response)
    again = app.test_client()
    again.post("/login", data=RIGHT)
    assert again.post("/login/code", data={"code": codes[3]}).status_code == 401


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, secured):
    secret, _ = secured
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 303 and response.headers["Location"] == "/login"


def test_the_code_page_expires_after_five_minutes(client, secured):
    secret, _ = secured
    client.post("/login", data=RIGHT)
    with client.session_transaction() as session:
        pending = session["two_step_pending"]
        session["two_step_pending"] = {**pending, "at": pending["at"] - 301}
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/login"


def test_wrong_codes_meet_the_sign_in_limit(client, secured):
    secret, _ = secured
    client.post("/login", data=RIGHT)
    statuses = [client.post("/login/code", data={"code": "123456"}).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 429


def test_signing_in_again_with_the_password_does_not_reset_the_count_of_guessed_codes(app, secured):
    statuses = []
    for _ in range(3):  # someone who knows the password, guessing codes in rounds
        guesser = app.test_client()
        guesser.post("/login", data=RIGHT)
        statuses += [guesser.post("/login/code", data={"code": "123456"}).status_code]
        statuses += [guesser.post("/login/code", data={"code": "654321"}).status_code]
    assert statuses == [401] * 5 + [429]


def test_turning_it_off_needs_the_password(author_client, author, secured):
    wrong = author_client.post("/admin/account/two-step/off", data={"password": "nope"})
    assert wrong.status_code == 400 and "isn't your password" in page_text(wrong)
    assert db.session.get(Author, author.id).totp_secret is not None
    done = author_client.post("/admin/account/two-step/off", data={"password": PASSWORD})
    assert done.status_code == 303
    assert db.session.get(Author, author.id).totp_secret is None
    assert db.session.scalar(select(func.count(RecoveryCode.id))) == 0


def test_new_recovery_codes_replace_the_old_ones(author_client, secured):
    _, old = secured
    response = author_client.post("/admin/account/two-step/new-codes", data={"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z0-9-]{11})</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)


def test_the_shell_command_resets_it_and_signs_out_everywhere(app, author, secured, runner):
    browser = app.test_client()
    sign_in(browser, author)
    result = runner.invoke(args=["reset-two-factor", "ADA@example.org"])
    assert "Two-step sign-in is off for ada@example.org; signed out 1 browser." in result.output
    assert db.session.get(Author, author.id).totp_secret is None
    assert browser.get("/admin/").status_code == 302
    assert runner.invoke(args=["reset-two-factor", "who@example.org"]).exit_code != 0


def test_the_qr_code_is_a_plain_svg():
    uri = two_factor.qr_svg_data_uri("otpauth://totp/Rounds:a@b.c?secret=ABC&issuer=Rounds")
    svg = unquote(uri.removeprefix("data:image/svg+xml;charset=utf-8,"))
    assert svg.startswith("<svg") and "script" not in svg and "href" not in svg


def test_password_confirmations_meet_the_sign_in_limit(author_client, secured):
    statuses = [
        author_client.post("/admin/account/two-step/off", data={"password": "guess"}).status_code
        for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    refused = author_client.post("/admin/account/two-step/off", data={"password": PASSWORD})
    assert refused.status_code == 429 and "Too many failed attempts" in page_text(refused)
