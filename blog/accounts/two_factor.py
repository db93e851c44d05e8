"""Two-step sign-in: a time-based code from an authenticator app (TOTP, RFC 6238), or one
of ten single-use recovery codes when the phone is lost.

The secret is made at enrolment and kept only once a first code proves the app has it.
A code is accepted for the current 30-second step or the one either side (clock drift),
and never for a step at or before the last one accepted, so an overheard code can't be
replayed. Recovery codes are stored as SHA-256 hashes and shown once.
"""

import base64
import hashlib
import secrets
import time

import pyotp
from sqlalchemy import delete, select

from blog.core import keys
from blog.core.clock import utcnow
from blog.extensions import db
from blog.models import Author, RecoveryCode

RECOVERY_CODES = 10
ISSUER = "Rounds"
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def enrolment_secret(author_id: int, session_token: str) -> str:
    """The secret offered while two-step sign-in is being set up: derived from the
    signed-in session, so it is the same on every reload of the page and never travels
    in a cookie; a new session offers a new one."""
    digest = keys.keyed_digests(keys.TWO_STEP_ENROLMENT, f"{author_id}:{session_token}")[0]
    return base64.b32encode(digest[:20]).decode()


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data: URI made here (no third party sees
    the secret); shown in an <img>, which the strict CSP allows. segno is imported here,
    when an author turns two-step sign-in on: no reader's worker needs it."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111", light="#fff")


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def code_is_valid(secret: str, code: str, after_step: int | None = None) -> int | None:
    """The time step a six-digit ``code`` is right for (now, or one step either side),
    later than ``after_step``; None if it isn't right."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if after_step is not None and step <= after_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enable(author: Author, secret: str, code: str) -> list[str] | None:
    """Turn two-step sign-in on if ``code`` proves the app holds ``secret``; return the
    new recovery codes to show once, or None (the caller commits)."""
    step = code_is_valid(secret, code)
    if step is None:
        return None
    author.totp_secret = secret
    author.totp_last_step = step
    return new_recovery_codes(author)


def disable(author: Author) -> None:
    """Turn two-step sign-in off and drop the recovery codes (the caller commits)."""
    author.totp_secret = None
    author.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.author_id == author.id))


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def new_recovery_codes(author: Author) -> list[str]:
    """Replace the author's recovery codes with ten new ones; return them in clear."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.author_id == author.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(author_id=author.id, code_hash=_hash(raw)))
    return codes


def recovery_codes_left(author: Author) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.author_id == author.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def verify(author: Author, code: str) -> str | None:
    """Check a sign-in's second step: "code" for the app's code, "recovery" for a
    recovery code (now used up), None if neither (the caller commits)."""
    step = code_is_valid(author.totp_secret, code, after_step=author.totp_last_step)
    if step is not None:
        author.totp_last_step = step
        return "code"
    if len(_normalise(code)) != 10:
        return None
    unused = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.author_id == author.id,
            RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if unused is None:
        return None
    unused.used_at = utcnow()
    return "recovery"
