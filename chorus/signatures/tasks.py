import datetime
import enum
import logging
import smtplib
from functools import cache

from django.conf import settings
from django.core.mail import mailers
from django.db import connection, transaction
from django.db.models import F
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from chorus.lib.hosts import origin_for
from chorus.petitions.models import Petition
from chorus.signatures.emails import Letters
from chorus.signatures.models import Signature
from chorus.signatures.transparency import receipts

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CHORUS_MAIL_LEASE_SECONDS)


@cache
def _claim_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # FOR UPDATE: a second worker waits for the first one's claim and then
    # finds those rows leased, so no two workers hold the same e-mail. Not SKIP
    # LOCKED: a duplicate signer's resend also locks the row for a moment, and
    # skipping it could leave its e-mail waiting with no task left to send it.
    # `confirmation_due = %s` repeats the partial index signature_confirmation_due.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"UPDATE {table} SET confirmation_claimed_until = %s WHERE id IN ("  # noqa: S608
        f"SELECT id FROM {table} WHERE confirmation_due = %s AND "
        "(confirmation_claimed_until IS NULL OR confirmation_claimed_until <= %s) "
        f"ORDER BY id LIMIT %s{lock}) RETURNING id"
    )


def _claim_due(now: datetime.datetime, limit: int) -> tuple[list[int], datetime.datetime]:
    """Lease a batch of due e-mails for CHORUS_MAIL_LEASE_SECONDS: their ids and the lease.

    Only rows whose lease is empty or has run out: those of a worker that
    died (or gave them back) are taken over, those of a live one are not.
    """
    lease = now + _lease()
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [adapt(lease), True, adapt(now), limit])
        return sorted(row[0] for row in cursor.fetchall()), lease


def confirmations_stalled(*, now: datetime.datetime | None = None) -> bool:
    """Whether a due e-mail's lease ran out unsent (one probe of the partial index).

    A row never claimed has its task queued by the signing itself; one whose
    lease has run out was claimed by a worker that died or failed, and only a
    new task sends it.
    """
    table = connection.ops.quote_name(Signature._meta.db_table)
    sql = (
        f"SELECT 1 FROM {table} WHERE confirmation_due = %s "  # noqa: S608 - our names
        "AND confirmation_claimed_until <= %s LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [True, connection.ops.adapt_datetimefield_value(now or timezone.now())])
        return cursor.fetchone() is not None


# Every state whose signer may be e-mailed: a held signature gets what a
# pending or a confirmed one would, so its signer cannot tell it was held.
_MAILABLE = [Signature.State.PENDING, Signature.State.HELD, Signature.State.CONFIRMED]


def confirmations_send(*, now: datetime.datetime | None = None) -> int:
    """Send every confirmation e-mail that is due, batch by batch; returns how many were sent.

    `now` fixes the clock (tests); otherwise each batch reads it afresh, so a
    long run does not lease its later batches by a time already past.
    """
    def clock() -> datetime.datetime:
        return now or timezone.now()

    sent = 0
    while True:
        claimed, lease = _claim_due(clock(), BATCH_SIZE)
        if not claimed:
            break
        sent += _send_confirmations(claimed, lease, clock)
    if sent:
        logger.info("sent %d confirmation e-mails", sent)
    return sent


def _held(ids, lease: datetime.datetime):
    """Those of `ids` still leased by this worker: a resend or a takeover ends the lease."""
    return Signature.objects.filter(pk__in=ids, confirmation_claimed_until=lease)


def _send_confirmations(claimed: list[int], lease: datetime.datetime, clock) -> int:
    """Send the e-mails of one leased batch over one mail connection; how many were sent.

    Each e-mail's due flag is cleared, in its own transaction, only once the
    mail server has accepted it, so a worker killed at any point loses
    nothing: what it had not finished goes out when its lease runs out.
    The price is at-least-once: an e-mail the server accepted just before the
    kill, before its flag was cleared, is sent again by the next worker
    (and, _mark_sent, those of the last moment before a database crash).
    """
    # Read after the claim: a signer may have confirmed, withdrawn or been
    # erased since the signing asked for the e-mail.
    signatures = Signature.objects.filter(
        pk__in=claimed, confirmation_due=True, state__in=_MAILABLE, anonymised_at__isnull=True,
    ).select_related("petition").order_by("pk")
    messages = []
    nothing_to_send = set(claimed)
    letters = Letters()  # each kind of e-mail rendered once for the batch
    for signature in signatures:
        # Written into MIME by the mail backend as it sends. An address no
        # header can hold fails there, before anything is sent (_Outcome.UNWRITABLE).
        message = (
            letters.already_signed(signature) if signature.confirmed_by_signer
            else letters.confirmation(signature)
        )
        nothing_to_send.discard(signature.pk)
        messages.append((signature.pk, message))
    _held(nothing_to_send, lease).update(confirmation_due=False, confirmation_claimed_until=None)

    sent = 0
    unsent = [signature_id for signature_id, _ in messages]
    try:
        with mailers.default as mail:
            for signature_id, message in messages:
                if clock() > lease - _lease() / 2:
                    # Half the lease gone (a slow server): stop before another
                    # worker may take these over; the next claim leases them anew.
                    break
                outcome = _deliver(mail, message, signature_id)
                unsent.remove(signature_id)
                if outcome is _Outcome.SENT:
                    _mark_sent(signature_id, lease)
                    sent += 1
                elif outcome is _Outcome.UNWRITABLE:
                    # Dropped, so it cannot hold up the others; no retry can help.
                    logger.warning("signature %s: confirmation e-mail unwritable", signature_id)
                    _held([signature_id], lease).update(
                        confirmation_due=False, confirmation_claimed_until=None
                    )
                elif outcome is _Outcome.REFUSED:
                    _held([signature_id], lease).update(
                        confirmation_due=False, confirmation_claimed_until=None,
                        confirmation_undeliverable_at=clock(),
                    )
                # _Outcome.DEFERRED: the lease is left to run out, then it is retried.
    except BaseException as failed:
        # The server failed (or, with the file backend of `make run`, the disk
        # is full or read-only: an OSError all the same) or the worker is being
        # stopped (KeyboardInterrupt, SystemExit): give back what was not sent,
        # the one in flight too (it may have arrived: at least once), by ending
        # their lease now, so the next run or the periodic step sends them
        # without waiting for it.
        _held(unsent, lease).update(confirmation_claimed_until=clock())
        # The kind of failure only: its text may hold an address or a path.
        logger.warning("mail failed (%s): %d confirmation e-mails left due",
                       type(failed).__name__, len(unsent))
        raise
    # Stopped at half the lease: given back the same way.
    _held(unsent, lease).update(confirmation_claimed_until=clock())
    # "You have already signed" went out: a sealed signer's address, kept for
    # it, is readable no more (models.SignatureQuerySet.drop_server_copies).
    Signature.objects.filter(pk__in=claimed).drop_server_copies()
    return sent


@cache
def _mark_sent_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    if connection.vendor != "postgresql":
        return (
            f"UPDATE {table} SET confirmation_due = %s, confirmation_claimed_until = NULL "  # noqa: S608
            "WHERE id = %s AND confirmation_claimed_until = %s"
        )
    # Not waiting for the disk: this commit is a statement's own transaction
    # (autocommit), and set_config(…, true) lasts only as long, so no other
    # transaction, even one sharing the connection through a pooler, is
    # affected. A durable commit per e-mail was most of the drain's wall
    # time. Only a crash of PostgreSQL itself (not of a worker) can forget
    # the last fraction of a second of these, and then those e-mails go
    # again: the at-least-once price the worker already pays when killed.
    return (
        "WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)) "  # noqa: S608
        f"UPDATE {table} SET confirmation_due = %s, confirmation_claimed_until = NULL "
        "FROM relaxed WHERE id = %s AND confirmation_claimed_until = %s"
    )


def _mark_sent(signature_id: int, lease: datetime.datetime) -> None:
    """The server accepted this e-mail: no longer due (if this worker still holds it, _held)."""
    with connection.cursor() as cursor:
        cursor.execute(_mark_sent_sql(), [
            False, signature_id, connection.ops.adapt_datetimefield_value(lease),
        ])


class MailServerError(OSError):
    """The mail server answered an SMTP error; only its code is kept, never its text."""

    def __init__(self, smtp_code: int, *, after_data: bool = False):
        super().__init__(f"the mail server answered {smtp_code}")
        self.smtp_code = smtp_code
        self.after_data = after_data


class _Outcome(enum.Enum):
    SENT = "sent"
    REFUSED = "refused"  # the server refused the address for good (5xx)
    DEFERRED = "deferred"  # the server refused it for now (4xx), e.g. greylisting
    UNWRITABLE = "unwritable"  # no mail header can hold the address: nothing was sent


def _deliver(mail, message, signature_id: int) -> _Outcome:
    """Send one e-mail over `mail`, reconnecting once if the connection failed.

    A refusal of this e-mail's recipient is this signature's outcome and the
    batch goes on; any other failure (the server is unreachable, times out or
    answers 4xx twice) is raised, to stop the batch. Logged by signature and
    SMTP code, never by address.
    """
    for attempt in (1, 2):
        try:
            _send_one(mail, message)
        except (UnicodeError, ValueError):
            # Raised while the backend builds the e-mail, before it talks to the server.
            return _Outcome.UNWRITABLE
        except smtplib.SMTPRecipientsRefused as refused:
            codes = sorted(code for code, _ in refused.recipients.values())
            logger.warning("signature %s: recipient refused (%s)", signature_id, codes)
            if codes and all(code >= 500 for code in codes):
                return _Outcome.REFUSED
            return _Outcome.DEFERRED
        except MailServerError as failed:
            if failed.after_data and failed.smtp_code >= 500:
                # One recipient, refused after DATA: this e-mail will never be taken.
                logger.warning("signature %s: e-mail refused (%s)", signature_id,
                               failed.smtp_code)
                return _Outcome.REFUSED
            if attempt == 2:
                raise
            _reconnect(mail)
        except OSError:  # refused, timed out, disconnected
            if attempt == 2:
                raise
            _reconnect(mail)
        else:
            return _Outcome.SENT
    raise AssertionError("unreachable")


def _send_one(mail, message) -> None:
    try:
        mail.send_messages([message])
    except smtplib.SMTPResponseException as failed:
        # The server's own words may name the recipient: only its code goes on.
        raise MailServerError(
            failed.smtp_code, after_data=isinstance(failed, smtplib.SMTPDataError)
        ) from None


def _reconnect(mail) -> None:
    """A fresh connection in place of one that failed (the next send opens it)."""
    try:
        mail.close()
    except Exception:  # noqa: BLE001 - it is being dropped anyway
        logger.info("closing a failed mail connection failed too")
    mail.open()


@task(priority=10)
def send_due_confirmations() -> int:
    """Send every confirmation e-mail that is due; returns how many were sent.

    A due row whose signer has not confirmed gets the link to confirm; one
    whose signer has (they signed again) gets "you have already signed" with
    their private link: the row's state decides, so signing cost the same
    either way. Each batch is leased (CHORUS_MAIL_LEASE_SECONDS) before
    sending, so two workers never send the same e-mail, and a worker that dies
    leaves its e-mails to the next run. If the mail server fails, the task
    fails and the unsent rest goes out with the next run; an address the
    server refuses for good is recorded and not retried; an e-mail that
    cannot even be written (an address no mail header can hold) is logged and
    dropped, so it cannot hold up the others.
    """
    return confirmations_send()


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
    (a held signer must not be able to tell), on a signable petition, whose
    address the mail server has not refused for good. The
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
        "AND confirmation_undeliverable_at IS NULL "
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
    """Send the reminders of one claimed batch over one mail connection.

    Delivered like confirmations (_deliver: one reconnection, and a 5xx
    refusal recorded, so that address gets nothing more). A recipient the
    server defers (4xx, greylisting) keeps this reminder as spent: at most
    once; the next reminder, or the first link, remain. Whatever was not sent
    when the server fails or the worker is stopped is given back for the next
    run, except the one in flight: it may have reached the server.
    """
    # Read again: a signer may have confirmed or withdrawn since the claim.
    signatures = Signature.objects.filter(
        pk__in=claimed, state__in=[Signature.State.PENDING, Signature.State.HELD],
        confirmed_at__isnull=True,
    ).select_related("petition").order_by("pk")
    letters = Letters()
    messages = [(signature.pk, letters.confirmation(signature, reminder=True))
                for signature in signatures]
    sent = 0
    unsent = [signature_id for signature_id, _ in messages]
    try:
        with mailers.default as mail:
            for signature_id, message in messages:
                unsent.remove(signature_id)
                outcome = _deliver(mail, message, signature_id)
                if outcome is _Outcome.SENT:
                    sent += 1
                elif outcome is _Outcome.REFUSED:
                    Signature.objects.filter(pk=signature_id).update(
                        confirmation_undeliverable_at=timezone.now())
                elif outcome is _Outcome.UNWRITABLE:
                    logger.warning("signature %s: reminder unwritable", signature_id)
    except BaseException:
        _give_back_reminders(unsent)
        raise
    return sent


def _give_back_reminders(signature_ids: list[int]) -> None:
    """Undo the claim of reminders that were not sent: the next run sends them."""
    Signature.objects.filter(pk__in=signature_ids).update(
        reminders_sent=F("reminders_sent") - 1,
        confirmation_sends=F("confirmation_sends") - 1,
        reminded_at=None,
    )


@task()
def send_due_reminders() -> int:
    """Send every reminder to confirm that is due (enqueued by the periodic step)."""
    return reminders_send()


@task()
def send_receipt(signature_id: int) -> bool:
    """E-mail a signer the receipt they asked for; whether one was sent.

    The receipt is derived again here (it is stored nowhere, the task's
    arguments included); a signature erased or withdrawn since gets nothing.
    """
    signature = Signature.objects.select_related("petition").filter(
        pk=signature_id, state__in=[Signature.State.CONFIRMED, Signature.State.HELD],
    ).first()
    receipt = receipts.receipt_of(signature) if signature and signature.email else None
    if receipt is None:
        return False
    log_url = origin_for(signature.site_host) + reverse("signatures:transparency:log",
                                          args=[signature.petition.slug])
    message = Letters().write(signature, "signatures/email/receipt",
                              receipt=receipts.formatted(receipt), log_url=log_url)
    with mailers.default as mail:
        _send_one(mail, message)
    logger.info("receipt e-mailed for signature %s", signature_id)
    return True
