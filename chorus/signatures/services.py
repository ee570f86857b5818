"""Signing and confirming: the workflows behind the sign and confirm pages."""

import logging
from functools import cache, partial

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.utils import timezone

from chorus.lib.digests import email_digest, ip_digest
from chorus.signatures import tokens
from chorus.signatures.models import Signature
from chorus.signatures.tasks import send_confirmation

logger = logging.getLogger(__name__)

_INSERT_COLUMNS = (
    "petition_id", "name", "email", "email_digest", "country", "postcode", "updates",
    "show_name", "state", "counted", "source", "ip_digest", "language",
    "confirmation_sends", "created_at",
)


@cache
def _insert_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _INSERT_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    # ON CONFLICT DO NOTHING: the unique constraint, not a prior SELECT, stops
    # a second signature from the same address, so two concurrent requests
    # cannot both insert (PostgreSQL and SQLite both support this form).
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 - our names
        "ON CONFLICT (petition_id, email_digest) DO NOTHING RETURNING id"
    )


@cache
def _resend_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # One statement, so concurrent duplicates cannot push the number of
    # confirmation e-mails past the limit.
    return (
        f"UPDATE {table} SET confirmation_sends = confirmation_sends + 1 "  # noqa: S608
        "WHERE petition_id = %s AND email_digest = %s AND state = %s "
        "AND confirmation_sends < %s RETURNING id"
    )


def signature_create(
    *,
    petition_id: int,
    name: str,
    email: str,
    country: str,
    postcode: str = "",
    updates: bool = False,
    show_name: bool = False,
    source: str = "",
    ip: str = "",
    language: str = "",
) -> None:
    """Record a pending signature and e-mail its confirmation link.

    Returns nothing on purpose: a second signature from the same address is
    answered exactly like a first one, so no caller can tell who has signed.
    A duplicate that is still pending gets the confirmation e-mail again, a
    few times at most.
    """
    digest = email_digest(email)
    params = (
        petition_id, name, email.strip(), digest, country, postcode, updates, show_name,
        Signature.State.PENDING, False, source, ip_digest(ip), language, 1,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_insert_sql(), params)
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                _resend_sql(),
                (petition_id, digest, Signature.State.PENDING,
                 settings.CHORUS_CONFIRMATION_MAX_SENDS),
            )
            row = cursor.fetchone()
        if row is not None:
            transaction.on_commit(partial(send_confirmation.enqueue, row[0]))


def signature_from_token(token: str, *, check_age: bool = True) -> Signature:
    """The signature a confirmation link is for.

    Raises signing.SignatureExpired, signing.BadSignature, ValueError or
    Signature.DoesNotExist (erased since the link was sent).
    """
    signature_id = tokens.signature_id_from_token(token, check_age=check_age)
    return Signature.objects.select_related("petition").get(pk=signature_id)


def signature_confirm(*, signature: Signature) -> bool:
    """Confirm a signature from its link; confirming twice is harmless."""
    newly_confirmed = signature.confirm()
    if newly_confirmed:
        logger.info("signature %s confirmed", signature.pk)
    return newly_confirmed


def confirmation_resend(*, token: str) -> None:
    """Send a fresh link for an expired one, if the signature still waits for it."""
    try:
        signature = signature_from_token(token, check_age=False)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return
    limit = settings.CHORUS_CONFIRMATION_MAX_SENDS + settings.CHORUS_EXPIRED_LINK_RESENDS
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                _resend_sql(),
                (signature.petition_id, signature.email_digest, Signature.State.PENDING, limit),
            )
            row = cursor.fetchone()
        if row is not None:
            transaction.on_commit(partial(send_confirmation.enqueue, row[0]))
