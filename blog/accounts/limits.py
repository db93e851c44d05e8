"""Sign-in limits that every worker and restart sees: refused attempts are rows in the
database, counted per network and per account, with a delay that doubles as they grow.

- A network is an IPv4 address or an IPv6 /64 (one host's usual allocation: rotating
  through its 2^64 addresses gains nothing).
- An account is the email typed, hashed, whether or not an author has it.
- A browser the author signed in with before carries a device cookie (blog.auth sets
  it); its attempts are counted under that device instead of the account, so someone
  guessing her password elsewhere can't lock her out of her own laptop (OWASP's "device
  cookies").

Each attempt is recorded as a failure before the password is checked (one short write),
then withdrawn if it succeeds: parallel guesses can't slip in between the check and
the count, and the password hash is never computed while the write lock is held.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from blog.core import keys
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import SignInFailure

WINDOW = timedelta(hours=24)  # failures older than this are forgotten


@dataclass(frozen=True)
class Rule:
    prefix: str
    free: int  # failures allowed within WINDOW before any wait
    first_wait: int  # seconds after the first failure over ``free``, doubling after
    longest_wait: int  # seconds, at most


def rules() -> dict[str, Rule]:
    config = current_app.config
    return {
        "net": Rule("net", int(config["SIGN_IN_FREE_PER_NETWORK"]), 30, 3600),
        "account": Rule("account", int(config["SIGN_IN_FREE_PER_ACCOUNT"]), 30, 900),
        "device": Rule("device", int(config["SIGN_IN_FREE_PER_ACCOUNT"]), 30, 900),
    }


def attempt_keys(address: str | None, email: str, device: str | None) -> list[str]:
    """The counters an attempt adds to: its network and its account; from a device the
    author signed in with before, that device's alone (guesses from her network, a
    clinic's shared address, then never lock her out of her own computer)."""
    if device:
        return ["device:" + keys.keyed_hash(keys.SIGN_IN_LIMIT, device, length=48)]
    network = keys.keyed_hash(keys.SIGN_IN_LIMIT, keys.network_of(address), length=48)
    account = keys.keyed_hash(keys.SIGN_IN_LIMIT, email.strip().lower(), length=48)
    return ["net:" + network, "account:" + account]


def _wait(rule: Rule, failures: int) -> int:
    over = failures - rule.free
    if over < 0:
        return 0
    return min(rule.first_wait * 2 ** min(over, 20), rule.longest_wait)


def seconds_to_wait(attempt: list[str]) -> int:
    """How long this attempt must wait (0: it may go ahead now)."""
    now = utcnow()
    longest = 0
    for key in attempt:
        rule = rules()[key.partition(":")[0]]
        count, latest = db.session.execute(
            select(func.count(SignInFailure.id), func.max(SignInFailure.created_at)).where(
                SignInFailure.key == key, SignInFailure.created_at > now - WINDOW
            )
        ).one()
        if latest is None:
            continue
        ready = latest + timedelta(seconds=_wait(rule, count))
        longest = max(longest, math.ceil((ready - now).total_seconds()))
    return longest


def start(attempt: list[str]) -> tuple[list[int] | None, int]:
    """Count an attempt before checking it, in its own short transaction (committed here),
    so the password or code is checked outside the write lock: (the rows to withdraw if it
    succeeds, 0), or (None, seconds to wait) when it must wait."""
    wait = seconds_to_wait(attempt)
    if wait:
        db.session.rollback()
        return None, wait
    reserved = reserve(attempt)
    db.session.commit()
    return reserved, 0


def wait_message(seconds: int) -> str:
    when = f"{-(-seconds // 60)} minutes" if seconds > 90 else f"{seconds} seconds"
    return f"Too many failed attempts. Try again in {when}."


def reserve(attempt: list[str]) -> list[int]:
    """Count the attempt as failed until it succeeds; return the rows to withdraw then."""
    rows = [SignInFailure(key=key, created_at=utcnow()) for key in attempt]
    db.session.add_all(rows)
    db.session.flush()
    return [row.id for row in rows]


def succeeded(reserved: list[int], attempt: list[str], *, forgive: bool = True) -> None:
    """A right answer: withdraw this attempt and, when ``forgive`` (the sign-in is
    complete), the account's or device's earlier failures; the network's stay counted.
    A right password before a two-step code forgives nothing, or knowing the password
    would reset the count of guessed codes."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id.in_(reserved)))
    if forgive:
        personal = [key for key in attempt if not key.startswith("net:")]
        db.session.execute(delete(SignInFailure).where(SignInFailure.key.in_(personal)))


def purge_old() -> int:
    """Forget failures older than the window (the caller commits; `flask purge` runs it)."""
    return db.session.execute(
        delete(SignInFailure).where(SignInFailure.created_at < utcnow() - WINDOW),
        execution_options={"synchronize_session": False},
    ).rowcount
