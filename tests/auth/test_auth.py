"""First-run setup, sign-in, sign-out, password change and the create-author command."""

import logging
import re

import pytest
from sqlalchemy import func, select

from blog import create_app
from blog.accounts.authors import setup_tokens
from blog.core.inputs import safe_next
from blog.extensions import db
from blog.models import Author, Post
from tests.conftest import base_config, page_text, sign_in

PASSWORD = "correct horse battery"
NEW = "a brand new passphrase"


def setup_form(app, **fields):
    with app.app_context():
        token = setup_tokens()[0]
    return {
        "token": token,
        "name": "Dr. Jane Doe",
        "credentials": "MD, Psychiatry",
        "email": "Jane@Example.org",
        "password": "a long enough passphrase",
        **fields,
    }


# -- Setup -----------------------------------------------------------------------------


def test_setup_is_open_while_only_the_sample_profile_exists(client, runner):
    runner.invoke(args=["demo"])
    response = client.get("/setup")
    assert response.status_code == 200
    assert "Setup token" in page_text(response)


def test_setup_creates_the_author_signs_in_and_never_hands_her_the_samples(app, client, runner):
    runner.invoke(args=["demo"])
    response = client.post("/setup", data=setup_form(app))
    # Two-step sign-in is offered straight away
    assert response.headers["Location"] == "/admin/account/two-step?welcome=1"
    author = db.session.scalar(select(Author).where(Author.password_hash.is_not(None)))
    assert author.email == "jane@example.org" and author.credentials == "MD, Psychiatry"
    assert author.can_sign_in and author.password_hash != "a long enough passphrase"
    # By default the samples stay, as drafts, with the sample profile.
    posts = db.session.scalars(select(Post)).all()
    assert len(posts) == 4 and {post.status for post in posts} == {"draft"}
    assert all(post.sample and post.author_id != author.id for post in posts)
    assert client.get("/admin/password").status_code == 200  # signed in
    assert client.get("/setup").status_code == 404


def test_setup_is_404_once_an_author_exists(client, author):
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data={}).status_code == 404


def test_wrong_token_is_refused(app, client):
    response = client.post("/setup", data=setup_form(app, token="guess"))
    assert response.status_code == 403
    assert "doesn't match" in page_text(response)
    assert db.session.scalar(select(func.count(Author.id))) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 12 characters"),
        ("aaaaaaaaaaaaaaa", "easy to guess"),
        ("password1234", "This is a very common password"),
        ("qwertyuiop123", "This is a very common password"),
        ("Password123!!", "similar to a commonly used password"),
        ("janedoe-example", "from your name, email"),
        ("Jane Doe 2024 Doe", "from your name, email"),
    ],
)
def test_weak_password_is_refused_with_a_clear_message(app, client, password, message):
    response = client.post("/setup", data=setup_form(app, password=password))
    assert response.status_code == 400
    page = page_text(response)
    assert message in page
    assert 'value="Dr. Jane Doe"' in page  # what was typed is kept


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_wrong_tokens_are_rate_limited(app, client):
    answers = [client.post("/setup", data=setup_form(app, token="x")) for _ in range(6)]
    assert [answer.status_code for answer in answers] == [403] * 5 + [429]
    assert "Please wait a minute before trying again." in answers[5].text
    assert answers[5].headers["Retry-After"] == "60"


def test_setup_token_is_logged_at_start(tmp_path, migrated_template, caplog):
    import shutil

    path = tmp_path / "blog.sqlite3"
    shutil.copy(migrated_template, path)
    config = {**base_config(path, tmp_path), "TESTING": False}
    with caplog.at_level(logging.WARNING):
        app = create_app(config)
    with app.app_context():
        token = setup_tokens()[0]
    assert f"Setup token: {token}" in caplog.text
    # Under a WSGI server the app doesn't know the port readers reach it on.
    assert "open /setup on the site's address" in caplog.text


def test_the_setup_address_is_flask_runs_or_the_sites(tmp_path, migrated_template, caplog):
    import shutil

    import click

    path = tmp_path / "blog.sqlite3"
    shutil.copy(migrated_template, path)
    config = {**base_config(path, tmp_path), "TESTING": False}
    run = click.Command("run", params=[click.Option(["--port"])])
    with click.Context(run, info_name="run") as context, caplog.at_level(logging.WARNING):
        context.params["port"] = 5123
        create_app(config)
        create_app({**config, "SITE_URL": "https://clinic.example/"})
    assert "open http://127.0.0.1:5123/setup to create it" in caplog.text
    assert "open https://clinic.example/setup to create it" in caplog.text


def test_other_commands_do_not_log_the_token(tmp_path, migrated_template, caplog):
    import shutil

    import click

    path = tmp_path / "blog.sqlite3"
    shutil.copy(migrated_template, path)
    config = {**base_config(path, tmp_path), "TESTING": False}
    with click.Context(click.Command("demo"), info_name="demo"), caplog.at_level(logging.WARNING):
        create_app(config)
    with click.Context(click.Command("run"), info_name="run"), caplog.at_level(logging.WARNING):
        create_app(config)
    assert caplog.text.count("Setup token:") == 1


def test_token_is_stable_for_a_key_and_differs_between_keys(app):
    other = create_app({**app.config, "SECRET_KEY": "another key"})
    with app.app_context():
        token = setup_tokens()[0]
    with other.app_context():
        assert setup_tokens()[0] != token


# -- Sign-in ---------------------------------------------------------------------------


def test_login_and_logout(client, author):
    response = client.post("/login", data={"email": "ADA@example.org", "password": PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    assert 'href="/admin/">Dashboard</a>' in client.get("/").get_data(as_text=True)
    assert client.get("/admin/password").status_code == 200
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert client.get("/admin/password").status_code == 302


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.org", "wrong password!!"), ("nobody@example.org", PASSWORD)],
)
def test_failed_login_gives_one_generic_message(client, author, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 401
    assert "That email and password don't match an account." in page_text(response)


def test_login_follows_a_local_next(client, author):
    response = client.post(
        "/login?next=/admin/password", data={"email": "ada@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/admin/password"


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example", "https:evil.example", "/\\evil.example",
     "javascript:alert(1)", "/%0d%0aSet-Cookie:x", "\t//evil.example"],
)  # fmt: skip
def test_login_ignores_a_foreign_next(client, author, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ada@example.org", "password": PASSWORD},
    )
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location


def test_safe_next():
    assert safe_next("/post/x?a=1") == "/post/x?a=1"
    assert safe_next("//evil") is None and safe_next("https://evil") is None
    assert safe_next(None) is None and safe_next("/a\nb") is None


def test_protected_pages_redirect_anonymous_users_to_login(client):
    response = client.get("/admin/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_protected_json_requests_get_401_json(client):
    response = client.post("/admin/password", json={}, headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert "Sign in again" in response.get_json()["error"]


# -- Password change -------------------------------------------------------------------


def test_password_change_ends_other_sessions(app, author):
    this, other = app.test_client(), app.test_client()
    sign_in(this, author)
    sign_in(other, author)
    response = this.post(
        "/admin/password",
        data={
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 303
    assert this.get("/admin/password").status_code == 200
    assert other.get("/admin/password").status_code == 302
    this.post("/logout")
    ok = {"email": "ada@example.org", "password": "a brand new passphrase"}
    assert this.post("/login", data=ok).status_code == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"current": "wrong", "password": NEW, "confirm": NEW}, "isn't your password"),
        ({"current": PASSWORD, "password": "short", "confirm": "short"}, "at least 12 characters"),
        ({"current": PASSWORD, "password": NEW, "confirm": "different"}, "differ"),
    ],
)
def test_password_change_refusals(client, author, fields, message):
    sign_in(client, author)
    response = client.post("/admin/password", data=fields)
    assert response.status_code == 400
    assert message in page_text(response)


# -- create-author ----------------------------------------------------------------------


def test_create_author_reads_the_password_from_stdin(runner):
    runner.invoke(args=["demo"])
    result = runner.invoke(
        args=["create-author", "--name", "Dr. Cli", "--credentials", "DO"]
        + ["--email", "cli@example.org", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    author = db.session.scalar(select(Author).where(Author.email == "cli@example.org"))
    assert author.can_sign_in and author.credentials == "DO"
    assert db.session.scalar(select(func.count(Author.id))) == 2  # and the sample profile
    posts = db.session.scalars(select(Post)).all()
    assert posts and all(post.sample and post.status == "draft" for post in posts)


def test_create_author_prompts_for_everything(runner):
    result = runner.invoke(
        args=["create-author"],
        input="Dr. Prompt\nMD\nprompt@example.org\n" + "a long enough passphrase\n" * 2,
    )
    assert result.exit_code == 0, result.output
    assert "a long enough passphrase" not in result.output


def test_create_author_refuses_weak_passwords_and_a_second_account(runner, author):
    result = runner.invoke(
        args=["create-author", "--name", "X", "--email", "x@example.org", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code != 0 and "already exists" in result.output


def test_create_author_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["create-author", "--name", "X", "--credentials", ""]
        + ["--email", "x@example.org", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code != 0 and "12 characters" in result.output


class TestLogoutWithAnExpiredForm:
    """A sign-out never silently does nothing: an expired form asks again."""

    @pytest.fixture
    def config_overrides(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_stale_token_keeps_the_author_signed_in_and_offers_the_button_again(
        self, client, author
    ):
        sign_in(client, author)
        client.get("/admin/")  # a page with the sign-out form, as the author had open
        response = client.post("/logout", data={"csrf_token": "expired"})
        assert response.status_code == 400
        text = page_text(response)
        assert "still signed in" in text and "Sign out" in text
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
        assert client.get("/admin/").status_code == 200
        done = client.post("/logout", data={"csrf_token": token})
        assert done.status_code == 303
        assert client.get("/admin/").status_code == 302

    def test_a_signed_out_browser_is_simply_told_it_is_signed_out(self, client):
        response = client.post("/logout", data={"csrf_token": "expired"})
        assert response.status_code == 303
        assert "You have signed out." in page_text(client.get(response.headers["Location"]))
