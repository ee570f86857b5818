"""Back office security: login throttling and staff second factors.

The second factor is an authenticator app (django-otp TOTP), with single-use
recovery codes (django-otp static tokens) for when the app is lost.
"""

import logging
from base64 import b32encode
from datetime import timedelta

import django_otp
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chorus.audit.services import audit_record
from chorus.lib.digests import ip_digest, keyed_digest
from chorus.organisers.models import LoginFailure

logger = logging.getLogger(__name__)

Kind = LoginFailure.Kind

WRONG_CODE = _("This code is not right. Use the newest six-digit code your app shows.")
WRONG_RECOVERY_CODE = _("This recovery code is not right, or it has been used already.")

RECOVERY_CODE_COUNT = 10


def _account_digest(account: str) -> str:
    # Usernames are e-mail addresses: keep only a keyed digest of them.
    return keyed_digest(account.strip().lower(), purpose="login")


def _window_start():
    return timezone.now() - timedelta(seconds=settings.CHORUS_LOGIN_LOCKOUT_SECONDS)


def _max_failures(kind: str) -> int:
    return settings.CHORUS_OTP_MAX_FAILURES if kind == Kind.CODE else (
        settings.CHORUS_LOGIN_MAX_FAILURES)


def throttled_error() -> ValidationError:
    minutes = max(1, round(settings.CHORUS_LOGIN_LOCKOUT_SECONDS / 60))
    return ValidationError(
        ngettext(
            "There have been too many failed attempts, so logging in is paused for safety. "
            "Please try again in %(minutes)d minute.",
            "There have been too many failed attempts, so logging in is paused for safety. "
            "Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes},
        code="throttled",
    )


def login_attempt_allowed(*, kind: str, account: str, ip: str) -> bool:
    """Whether one more attempt may be checked at all.

    Two indexed counts over at most a few dozen rows. A locked-out attempt is
    refused before the password or code is looked at, so that guessing gains
    nothing even when a guess is right.
    """
    since = _window_start()
    failures = LoginFailure.objects.filter(kind=kind, created_at__gt=since)
    if failures.filter(account_digest=_account_digest(account)).count() >= _max_failures(kind):
        return False
    address = ip_digest(ip)
    per_ip = settings.CHORUS_LOGIN_MAX_FAILURES_PER_IP
    return not (address and failures.filter(ip_digest=address).count() >= per_ip)


def login_failure_record(*, kind: str, account: str, ip: str) -> None:
    account_digest = _account_digest(account)
    LoginFailure.objects.create(kind=kind, account_digest=account_digest, ip_digest=ip_digest(ip),
                                created_at=timezone.now())
    # Failures that can no longer count towards a lockout are forgotten at once.
    LoginFailure.objects.filter(created_at__lte=_window_start()).delete()
    logger.info("failed %s attempt for account %s", kind, account_digest[:12])


def login_failures_clear(*, kind: str, account: str) -> None:
    """After a success: the account's own count starts again (the address's does not)."""
    LoginFailure.objects.filter(kind=kind, account_digest=_account_digest(account)).delete()


# Second factor


def otp_device_for(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def otp_device_prepare(*, user) -> TOTPDevice:
    """The not yet confirmed device whose secret the set-up page shows.

    The same one on every visit, so that reloading the page does not invalidate
    a code already scanned into the app.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def otp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def otp_code_check(*, user, device: TOTPDevice, code: str, ip: str) -> None:
    """Check a code from the user's app; raise ValidationError if it is refused.

    Refused when wrong, or when there were too many wrong ones lately.
    """
    account = user.get_username()
    if not login_attempt_allowed(kind=Kind.CODE, account=account, ip=ip):
        raise throttled_error()
    # verify_token locks the device row, so one code cannot be used twice at once.
    if django_otp.verify_token(user, device.persistent_id, code) is None:
        login_failure_record(kind=Kind.CODE, account=account, ip=ip)
        raise ValidationError(WRONG_CODE, code="wrong_code")
    login_failures_clear(kind=Kind.CODE, account=account)


def otp_device_confirm(*, user, device: TOTPDevice, code: str, ip: str) -> list[str]:
    """Confirm a newly scanned device with its first code (ValidationError if refused).

    The device replaces any app the user had before (someone who lost theirs and
    came in with a recovery code). Returns a fresh set of recovery codes, to be
    shown once on the answer page and nowhere else.
    """
    # Outside the transaction: a wrong code's failure must be kept.
    otp_code_check(user=user, device=device, code=code, ip=ip)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        replaced, _counts = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        # The device's name holds no address; the user's would.
        audit_record(actor=user, action="security.device_confirm", device=device.pk,
                     replaced=replaced)
        return recovery_codes_create(user=user)


# Recovery codes


def is_recovery_code(code: str) -> bool:
    """Recovery codes always have a letter; the app's codes are only digits."""
    return not code.isdigit()


def _new_recovery_code(taken: set[str]) -> str:
    while True:
        code = StaticToken.random_token()  # 8 characters of base32: 40 random bits
        if not code.isdigit() and code not in taken:
            return code


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_codes_create(*, user) -> list[str]:
    """A fresh set of single-use recovery codes; the old set stops working.

    The codes are returned to be shown once and are never logged, e-mailed or
    audited. django-otp keeps them as they are, so that each can be matched
    and deleted when used.
    """
    with transaction.atomic():
        # The same device, not a new one: a session verified with a recovery
        # code stays verified when its owner makes a new set.
        device, _created = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": "recovery codes", "confirmed": True})
        device.token_set.all().delete()
        codes: list[str] = []
        for _number in range(RECOVERY_CODE_COUNT):
            codes.append(_new_recovery_code(set(codes)))
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
        audit_record(actor=user, action="security.recovery_codes_create", count=len(codes))
    return codes


def second_factor_check(*, user, code: str, ip: str) -> Device:
    """The device that accepts a code from the code page: the user's app, or their
    recovery codes (the one given is then used up). ValidationError if refused.

    Recovery codes are throttled exactly as the app's codes: a wrong one counts
    towards the same lockout.
    """
    account = user.get_username()
    if not login_attempt_allowed(kind=Kind.CODE, account=account, ip=ip):
        raise throttled_error()
    recovery = is_recovery_code(code)
    device = (StaticDevice.objects.filter(user=user, confirmed=True).first() if recovery
              else otp_device_for(user))
    # verify_token locks the device row, so one code cannot be used twice at
    # once; a recovery code is deleted as it is accepted.
    accepted = device and django_otp.verify_token(user, device.persistent_id, code)
    if not accepted:
        login_failure_record(kind=Kind.CODE, account=account, ip=ip)
        raise ValidationError(WRONG_RECOVERY_CODE if recovery else WRONG_CODE,
                              code="wrong_code")
    login_failures_clear(kind=Kind.CODE, account=account)
    if recovery:
        audit_record(actor=user, action="security.recovery_code_use",
                     left=recovery_codes_left(user))
    return accepted
