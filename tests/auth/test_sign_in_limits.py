"""Sign-in limits kept in the database: per network (an IPv6 /64 counts as one), per
account, with a wait that doubles, and a device the author signed in with before is
never locked out by someone else's guesses."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from blog import create_app
from blog.core.keys import network_of
from blog.extensions import db
from blog.models import SignInFailure
from tests.conftest import base_config, page_text

PASSWORD = "correct horse battery"
RIGHT = {"email": "ada@example.org", "password": PASSWORD}
WRONG = {"email": "ada@example.org", "password": "not the password"}


def attempt(client, fields, address="192.0.2.10"):
    return client.post("/login", data=fields, environ_base={"REMOTE_ADDR": address})


def age_failures(seconds: float) -> None:
    for row in db.session.scalars(select(SignInFailure)):
        row.created_at -= timedelta(seconds=seconds)
    db.session.commit()


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("not an address", "unknown"),
    ],
)
def test_addresses_are_counted_by_network(address, network):
    assert network_of(address) == network


def test_the_account_waits_after_five_failures_even_with_the_right_password(client, author):
    statuses = [attempt(client, WRONG).status_code for _ in range(5)]
    assert statuses == [401] * 5
    refused = attempt(client, RIGHT)
    assert refused.status_code == 429
    wait = refused.headers["Retry-After"]
    assert wait in ("29", "30")  # 30 s after the last failure, however long the test took
    assert f"Too many failed attempts. Try again in {wait} seconds." in page_text(refused)
    assert 'value="ada@example.org"' in page_text(refused)  # what was typed is kept


def test_the_wait_doubles_with_each_further_failure(client, author):
    for _ in range(5):
        attempt(client, WRONG)
    age_failures(31)
    assert attempt(client, WRONG).status_code == 401  # the sixth, after 30 s
    age_failures(31)
    assert attempt(client, RIGHT).status_code == 429  # now 60 s
    age_failures(30)
    assert attempt(client, RIGHT).status_code == 303


def test_rotating_addresses_inside_one_ipv6_64_gains_nothing(client, author):
    statuses = [
        attempt(
            client, {"email": f"guess{n}@example.org", "password": "x" * 12}, f"2001:db8::{n:x}"
        ).status_code
        for n in range(1, 13)
    ]
    assert statuses == [401] * 10 + [429] * 2
    assert attempt(client, WRONG, "2001:db8:0:1::1").status_code == 401  # the next /64


def test_spreading_guesses_over_networks_still_meets_the_account_limit(client, author):
    statuses = [attempt(client, WRONG, f"198.51.100.{n}").status_code for n in range(1, 8)]
    assert statuses == [401] * 5 + [429] * 2


def test_every_worker_and_restart_sees_the_same_counts(app, client, author, tmp_path):
    for _ in range(5):
        attempt(client, WRONG)
    other_worker = create_app(base_config(tmp_path / "blog.sqlite3", tmp_path))
    assert attempt(other_worker.test_client(), RIGHT).status_code == 429
    assert db.session.scalar(select(func.count(SignInFailure.id))) == 10  # network + account


def test_a_right_password_forgives_the_account_but_not_the_network(client, author):
    for _ in range(4):
        attempt(client, WRONG)
    assert attempt(client, RIGHT).status_code == 303
    keys = db.session.scalars(select(SignInFailure.key)).all()
    assert len(keys) == 4 and all(key.startswith("net:") for key in keys)


def test_guesses_elsewhere_never_lock_out_the_authors_own_browser(app, author):
    laptop, attacker = app.test_client(), app.test_client()
    assert attempt(laptop, RIGHT, "192.0.2.1").status_code == 303
    laptop.post("/logout")
    statuses = [attempt(attacker, WRONG, f"203.0.113.{n}").status_code for n in range(1, 9)]
    assert statuses[-1] == 429
    assert attempt(laptop, RIGHT, "192.0.2.1").status_code == 303


def test_a_forged_device_cookie_counts_as_no_device(app, client, author):
    client.set_cookie("rounds_device", "forged.value.here")
    for _ in range(5):
        attempt(client, WRONG, "198.51.100.1")
    assert attempt(client, RIGHT, "198.51.100.2").status_code == 429


def test_old_failures_are_forgotten_by_purge(client, author, runner):
    for _ in range(5):
        attempt(client, WRONG)
    age_failures(25 * 3600)
    result = runner.invoke(args=["purge"])
    assert "10 old failed sign-ins" in result.output
    assert attempt(client, RIGHT).status_code == 303


def test_guesses_from_the_authors_own_network_never_lock_out_her_browser(app, author):
    laptop, neighbour = app.test_client(), app.test_client()
    assert attempt(laptop, RIGHT, "192.0.2.1").status_code == 303
    laptop.post("/logout")
    wrong = {"email": "someone@example.org", "password": "not the password"}
    statuses = [attempt(neighbour, wrong, "192.0.2.1").status_code for _ in range(12)]
    assert statuses[-1] == 429  # the shared address is limited for everyone else
    assert attempt(laptop, RIGHT, "192.0.2.1").status_code == 303
