import datetime
import logging
from functools import cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import F
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from chorus.lib.translations import translated
from chorus.petitions.models import Petition
from chorus.signatures import tokens
from chorus.signatures.models import Signature

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@cache
def _claim_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # FOR UPDATE: a second worker waits for the first one's claim and then
    # finds those rows no longer due, so no e-mail is sent twice. Not SKIP
    # LOCKED: a duplicate signer's resend also locks the row for a moment, and
    # skipping it could leave its e-mail waiting with no task left to send it.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"UPDATE {table} SET confirmation_due = %s WHERE id IN ("  # noqa: S608 - our names
        f"SELECT id FROM {table} WHERE confirmation_due = %s ORDER BY id LIMIT %s{lock}"
        ") RETURNING id"
    )


def _claim_due(limit: int) -> list[int]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [False, True, limit])
        return sorted(row[0] for row in cursor.fetchall())


# Every state whose signer may be e-mailed: a held signature gets what a
# pending or a confirmed one would, so its signer cannot tell it was held.
_MAILABLE = [Signature.State.PENDING, Signature.State.HELD, Signature.State.CONFIRMED]


@task(priority=10)
def send_due_confirmations() -> int:
    """Send every confirmation e-mail that is due; returns how many were sent.

    A due row whose signer has not confirmed gets the link to confirm; one
    whose signer has (they signed again) gets "you have already signed" with
    their private link: the row's state decides, so signing cost the same
    either way. Each batch is claimed (its due flag cleared, under a row
    lock) before sending, so two workers never send the same e-mail. If the
    mail server fails, the unsent rest of the batch is marked due again and
    the task fails, to be retried by the next one. An e-mail that cannot even
    be written (an address no mail header can hold) is logged and dropped, so
    it cannot hold up the others.
    """
    sent = 0
    while claimed := _claim_due(BATCH_SIZE):
        signatures = Signature.objects.filter(
            pk__in=claimed, state__in=_MAILABLE, anonymised_at__isnull=True
        ).select_related("petition")
        done: set[int] = set()  # sent, or dropped as unwritable
        try:
            for signature in signatures:
                try:
                    message = (
                        already_signed_email(signature) if signature.confirmed_by_signer
                        else confirmation_email(signature)
                    )
                    message.message()  # raises here if no header can hold the address
                except (UnicodeError, ValueError):
                    logger.warning("signature %s: confirmation e-mail unwritable", signature.pk)
                    done.add(signature.pk)
                    continue
                message.send()
                done.add(signature.pk)
                sent += 1
        except Exception:
            Signature.objects.filter(
                pk__in=set(claimed) - done, state__in=_MAILABLE,
            ).update(confirmation_due=True)
            raise
    if sent:
        logger.info("sent %d confirmation e-mails", sent)
    return sent


def _signer_email(signature, template: str, **context) -> EmailMultiAlternatives:
    """An e-mail to a signer from `template` (its _subject.txt, .txt and .html), in their language.

    For a petition with discreet e-mail the `<template>_discreet` files are
    used, and the sender is CHORUS_DISCREET_FROM_EMAIL: neither the sender,
    the subject nor the text names the cause, so a glance at the inbox
    reveals nothing.
    """
    language = signature.language or settings.LANGUAGE_CODE
    # The petition as the signer read it: in the language they signed in.
    petition = translated(signature.petition, language)
    discreet = petition.discreet_email
    if discreet:
        template = f"{template}_discreet"
    with translation.override(language):
        manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
        context = {
            "signature": signature,
            "petition": petition,
            "manage_url": settings.SITE_URL + manage,
            "petition_url": settings.SITE_URL + petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
            **context,
        }
        subject = render_to_string(f"{template}_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.CHORUS_DISCREET_FROM_EMAIL if discreet else None,
            to=[signature.email],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _confirm_url(signature) -> str:
    return settings.SITE_URL + reverse(
        "signatures:confirm", args=[tokens.confirmation_token(signature.pk)]
    )


def confirmation_email(signature, *, reminder: bool = False) -> EmailMultiAlternatives:
    """The e-mail with the link that confirms a signature, or a reminder of it.

    A reminder carries a fresh link with the same meaning: it opens a page
    with a button, and only the button confirms.
    """
    template = "signatures/email/reminder" if reminder else "signatures/email/confirm"
    return _signer_email(signature, template, confirm_url=_confirm_url(signature))


def already_signed_email(signature) -> EmailMultiAlternatives:
    """Told to a signer who confirmed and signed again: nothing to do, here is your link."""
    return _signer_email(signature, "signatures/email/already_signed")


# Reminders to confirm. A signature still unconfirmed CHORUS_REMINDER_AFTER
# after signing gets a reminder, and another after CHORUS_REMINDER_SECOND_AFTER
# (either 0: off); never more than CHORUS_CONFIRMATION_MAX_SENDS e-mails in
# all, never once the petition stopped being signable.
MAX_REMINDERS = 2


def _reminder_delays() -> list[datetime.timedelta]:
    """The enabled delays, in order; equal ones are one reminder, not two at once."""
    seconds = {settings.CHORUS_REMINDER_AFTER, settings.CHORUS_REMINDER_SECOND_AFTER} - {0}
    return [datetime.timedelta(seconds=s) for s in sorted(seconds)][:MAX_REMINDERS]


def _reminders_due_sql(stages: int) -> str:
    """WHERE-clause of the signatures owed a reminder now, for `stages` enabled delays.

    Only pending signatures, and held ones their signer has not confirmed
    (a held signer must not be able to tell), on a signable petition. The
    n-th reminder is due once the signature is older than the n-th delay and,
    for the second, once the first is as long ago as the gap between the two
    delays (so a worker that was down does not send both at once). The
    literal states and `reminders_sent < 2` repeat the partial index
    `signature_reminder_due`, so the planner can use it.
    """
    petitions = connection.ops.quote_name(Petition._meta.db_table)
    stage_sql = ["(reminders_sent = 0 AND created_at <= %s)"]
    if stages > 1:
        stage_sql.append(
            "(reminders_sent = 1 AND created_at <= %s "
            "AND (reminded_at IS NULL OR reminded_at <= %s))"
        )
    return (
        "state IN ('pending', 'held') AND confirmed_at IS NULL "  # noqa: S608 - our names
        f"AND reminders_sent < {MAX_REMINDERS} AND confirmation_sends < %s "
        f"AND petition_id IN (SELECT id FROM {petitions} WHERE state = 'open' "
        "AND (closes_at IS NULL OR closes_at > %s)) "
        f"AND ({' OR '.join(stage_sql)})"
    )


def _reminders_due_params(now: datetime.datetime, delays) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    params = [settings.CHORUS_CONFIRMATION_MAX_SENDS, adapt(now), adapt(now - delays[0])]
    if len(delays) > 1:
        params += [adapt(now - delays[1]), adapt(now - (delays[1] - delays[0]))]
    return params


def reminders_due(*, now: datetime.datetime | None = None) -> bool:
    """Whether any signature is owed a reminder now (one indexed probe)."""
    delays = _reminder_delays()
    if not delays:
        return False
    table = connection.ops.quote_name(Signature._meta.db_table)
    sql = f"SELECT 1 FROM {table} WHERE {_reminders_due_sql(len(delays))} LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, _reminders_due_params(now or timezone.now(), delays))
        return cursor.fetchone() is not None


def _claim_reminders(now: datetime.datetime, delays, limit: int) -> list[int]:
    """Record a batch of signatures as reminded, before sending: the ids.

    One statement under a row lock, like _claim_due: a second worker waits,
    then finds those rows no longer due. The count of reminders and of all
    e-mails goes up here, so a worker killed while sending cannot cause a
    second copy: a reminder is sent at most once, and one lost in such a
    crash is not sent again (the next reminder, or the first link, remain).
    """
    table = connection.ops.quote_name(Signature._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"UPDATE {table} SET reminders_sent = reminders_sent + 1, reminded_at = %s, "  # noqa: S608
        "confirmation_sends = confirmation_sends + 1 WHERE id IN ("
        f"SELECT id FROM {table} WHERE {_reminders_due_sql(len(delays))} "
        f"ORDER BY id LIMIT %s{lock}) RETURNING id"
    )
    params = [
        connection.ops.adapt_datetimefield_value(now), *_reminders_due_params(now, delays), limit,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(row[0] for row in cursor.fetchall())


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Send every reminder that is due, batch by batch; returns how many were sent."""
    delays = _reminder_delays()
    if not delays:
        return 0
    now = now or timezone.now()
    sent = 0
    while claimed := _claim_reminders(now, delays, BATCH_SIZE):
        sent += _send_reminders(claimed)
    if sent:
        logger.info("sent %d reminders to confirm", sent)
    return sent


def _send_reminders(claimed: list[int]) -> int:
    """Send the reminders of one claimed batch over one mail connection."""
    # Read again: a signer may have confirmed or withdrawn since the claim.
    signatures = Signature.objects.filter(
        pk__in=claimed, state__in=[Signature.State.PENDING, Signature.State.HELD],
        confirmed_at__isnull=True,
    ).select_related("petition").order_by("pk")
    messages = []
    for signature in signatures:
        try:
            message = confirmation_email(signature, reminder=True)
            message.message()  # raises here if no header can hold the address
        except (UnicodeError, ValueError):
            logger.warning("signature %s: reminder unwritable", signature.pk)
            continue
        messages.append((signature.pk, message))
    if not messages:
        return 0
    done: set[int] = set()
    in_flight = None
    try:
        with mailers.default as mail:
            for signature_id, message in messages:
                in_flight = signature_id
                mail.send_messages([message])
                done.add(signature_id)
    except Exception:
        # The e-mail in flight may have reached the server before the error:
        # it is not given back (at most once). Those after it are, and go out
        # with the next run.
        unsent = {signature_id for signature_id, _ in messages} - done - {in_flight}
        Signature.objects.filter(pk__in=unsent).update(
            reminders_sent=F("reminders_sent") - 1,
            confirmation_sends=F("confirmation_sends") - 1,
            reminded_at=None,
        )
        raise
    return len(done)


@task()
def send_due_reminders() -> int:
    """Send every reminder to confirm that is due (enqueued by the periodic step)."""
    return reminders_send()
