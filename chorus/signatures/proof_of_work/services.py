"""Proof of work before signing (ALTCHA), only for petitions that need it.

The browser of a signer finds a number the server already knows (a brute
force over SHA-256 hashes, a second or two on a phone) and posts it with the
form. Everything happens between the signer's browser and our server: the
widget is served from our origin and no third party is involved.

It is off by default. Staff turn it on for a petition in the admin
(`proof_of_work = "always"`), and it switches itself on for an hour when a
petition gets many held signatures (`proof_of_work_check`). A signer without
JavaScript cannot solve it; their signature is held for review, never refused.
"""

import enum
import hashlib
import hmac
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from functools import cache

import altcha
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition
from chorus.petitions.selectors import public_petition_forget
from chorus.signatures.models import Signature, UsedChallenge

ALGORITHM = "SHA-256"
# The field the widget posts its solution in.
FIELD_NAME = "altcha"
# A real payload is about 600 characters; anything much longer is not one.
PAYLOAD_MAX_LENGTH = 4000
# How often one server process may look at a petition's held signatures.
CHECK_EVERY_SECONDS = 10.0
# How often one server process deletes challenges that have expired.
PURGE_EVERY_SECONDS = 60.0


class Verdict(enum.Enum):
    VALID = "valid"
    MISSING = "missing"  # JavaScript off, most likely: hold, don't refuse
    INVALID = "invalid"  # malformed, tampered, wrong or expired
    REPLAYED = "replayed"


@cache
def _keys(secret: str) -> tuple[bytes, bytes]:
    # One key signs the challenge, another its expected answer (the library's
    # fast path: verifying costs two HMACs, not a hash search).
    base = secret.encode() or hmac.new(
        settings.SECRET_KEY.encode(), b"altcha-challenge", hashlib.sha256
    ).digest()
    return (
        hmac.new(base, b"challenge", hashlib.sha256).digest(),
        hmac.new(base, b"derived-key", hashlib.sha256).digest(),
    )


def _hmac_keys() -> tuple[bytes, bytes]:
    return _keys(settings.CHORUS_ALTCHA_HMAC_KEY)


def required(petition: Petition, *, now: datetime | None = None) -> bool:
    """Whether signing this petition needs a solved challenge right now."""
    if petition.proof_of_work == Petition.ProofOfWork.ALWAYS:
        return True
    until = petition.proof_of_work_until
    return until is not None and until > (now or timezone.now())


def challenge_create(*, now: datetime | None = None) -> dict:
    """A fresh signed challenge, as the widget expects it (JSON-ready).

    The server picks the answer (the library's deterministic mode), so the
    difficulty is exact: on average half of CHORUS_ALTCHA_MAXNUMBER hashes.
    """
    challenge_key, answer_key = _hmac_keys()
    expires_at = (now or timezone.now()) + timedelta(
        seconds=settings.CHORUS_ALTCHA_EXPIRES_SECONDS
    )
    challenge = altcha.create_challenge(
        algorithm=ALGORITHM, cost=1,
        counter=secrets.randbelow(max(1, settings.CHORUS_ALTCHA_MAXNUMBER)),
        expires_at=expires_at, hmac_secret=challenge_key, hmac_key_secret=answer_key,
    )
    return challenge.to_dict()


def held_reason(*, petition: Petition, payload: str) -> str:
    """Why a signature must be held for want of proof of work ("" if it need not be).

    Raises ValidationError for a solution that is wrong, tampered with,
    expired or already used: that is a script, or a signer whose page sat
    open too long, and signing again fixes it. No solution at all is most
    likely JavaScript off: that signature is held, never refused.
    """
    if not required(petition):
        return ""
    verdict = solution_verify(payload)
    if verdict == Verdict.MISSING:
        return "no-proof-of-work"
    if verdict != Verdict.VALID:
        raise ValidationError(
            _("The check that protects this petition from automated signing did not "
              "succeed. Please sign again."),
            code=f"proof_of_work_{verdict.value}",
        )
    return ""


def solution_verify(payload: str, *, now: datetime | None = None) -> Verdict:
    """Check a posted solution and spend it, so that it cannot be used twice.

    The library checks the signature, the expiry and the answer; it keeps no
    memory, so a spent challenge is recorded until it expires. The unique
    constraint on that record, not a prior SELECT, refuses the second use,
    even when both arrive at the same moment.
    """
    if not payload:
        return Verdict.MISSING
    if len(payload) > PAYLOAD_MAX_LENGTH:
        return Verdict.INVALID
    challenge_key, answer_key = _hmac_keys()
    try:
        result = altcha.verify_solution(payload, challenge_key, hmac_key_secret=answer_key)
        parsed = altcha.Payload.from_base64(payload) if result.verified else None
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return Verdict.INVALID
    if parsed is None:
        return Verdict.INVALID
    expires_at = parsed.challenge.parameters.expires_at
    now = now or timezone.now()
    # Every challenge we issue has an expiry, and it is signed: one without
    # is not ours. Checked on our clock too, which tests can control.
    if type(expires_at) is not int or expires_at <= now.timestamp():
        return Verdict.INVALID
    return _spend(parsed.challenge.signature, expires_at=expires_at, now=now)


def _spend(signature: str, *, expires_at: int, now: datetime) -> Verdict:
    expires = datetime.fromtimestamp(expires_at, tz=UTC)
    try:
        # A savepoint, so a replay does not break a surrounding transaction.
        with transaction.atomic():
            # The challenge's own HMAC: unique per challenge, and no personal data.
            UsedChallenge.objects.create(challenge=signature, expires_at=expires)
    except IntegrityError:
        return Verdict.REPLAYED
    used_challenges_purge_now_and_then(now=now)
    return Verdict.VALID


_purge_lock = threading.Lock()
_next_purge_at = 0.0


def used_challenges_purge_now_and_then(*, now: datetime | None = None) -> None:
    """Delete spent challenges that have expired, at most once a minute per process.

    An expired challenge is refused anyway, so its record is no longer needed;
    one indexed DELETE a minute keeps the table as small as the last few
    minutes of signing.
    """
    global _next_purge_at
    with _purge_lock:
        clock = time.monotonic()
        if clock < _next_purge_at:
            return
        _next_purge_at = clock + PURGE_EVERY_SECONDS
    UsedChallenge.objects.filter(expires_at__lte=now or timezone.now()).delete()


_check_lock = threading.Lock()
_next_check_at: dict[int, float] = {}


def proof_of_work_check_now_and_then(petition_id: int) -> None:
    """proof_of_work_check, at most once per CHECK_EVERY_SECONDS per petition per process.

    Called after every signature, so that on the hot path it costs a dict
    lookup nearly always, and one indexed COUNT of at most
    CHORUS_POW_HELD_THRESHOLD rows every ten seconds.
    """
    with _check_lock:
        clock = time.monotonic()
        if clock < _next_check_at.get(petition_id, 0.0):
            return
        _next_check_at[petition_id] = clock + CHECK_EVERY_SECONDS
    proof_of_work_check(petition_id)


def proof_of_work_check(petition_id: int, *, now: datetime | None = None) -> bool:
    """Switch proof of work on for a petition that is getting many held signatures.

    Returns True if it switched it on. While it is on, nothing is checked; when
    it runs out, the next check switches it on again if the abuse goes on.
    """
    now = now or timezone.now()
    threshold = settings.CHORUS_POW_HELD_THRESHOLD
    if threshold <= 0:
        return False
    since = now - timedelta(seconds=settings.CHORUS_POW_WINDOW_SECONDS)
    # Counting stops at the threshold: the cost stays the same in a flood.
    held = (
        Signature.objects.filter(
            petition_id=petition_id, state=Signature.State.HELD, created_at__gte=since
        ).values("pk")[:threshold].count()
    )
    if held < threshold:
        return False
    until = now + timedelta(seconds=settings.CHORUS_POW_DURATION_SECONDS)
    # Conditional, so that two processes checking at once switch it on once.
    # updated_at changes too: it is part of the cached page's key, and the page
    # must now carry the widget.
    switched = (
        Petition.objects.filter(pk=petition_id)
        .exclude(proof_of_work=Petition.ProofOfWork.ALWAYS)
        .exclude(proof_of_work_until__gt=now)
        .update(proof_of_work_until=until, updated_at=now)
    )
    if not switched:
        return False
    petition = Petition.objects.get(pk=petition_id)
    public_petition_forget(petition.slug)
    audit_record(
        actor=None, action="petition.proof_of_work_on", target=petition,
        held=held, window_seconds=settings.CHORUS_POW_WINDOW_SECONDS,
        until=until.isoformat(),
    )
    return True
