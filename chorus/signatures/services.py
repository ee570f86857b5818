"""Signers' workflows: signing, confirming, managing their data, retention, re-encryption."""

import csv
import io
import logging
import threading
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.tasks import task_backends
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.lib import crypto
from chorus.lib.digests import email_digest, ip_digest
from chorus.lib.hosts import current_host, origin_for
from chorus.petitions.models import Petition
from chorus.signatures import screening, stored, tokens
from chorus.signatures.models import DeliveryDocument, Invalidation, PaperRow, Signature
from chorus.signatures.sealing import services as sealing
from chorus.signatures.tasks import (
    confirmations_stalled,
    reminders_due,
    send_due_confirmations,
    send_due_reminders,
)
from chorus.signatures.transparency.services import invalidation_record

logger = logging.getLogger(__name__)

_INSERT_COLUMNS = (
    "petition_id", "name", "email", "email_digest", "country", "postcode", "updates",
    "show_name", "counted", "source", "ip_digest", "language", "confirmation_due",
    "confirmation_sends", "created_at", "email_domain", "reminders_sent",
    "sealed", "sealed_to_id", "site_host", "partner_id",
)


@cache
def _insert_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(c) for c in (*_INSERT_COLUMNS, "held_reason", "state")
    )
    placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
    # ON CONFLICT DO NOTHING: the unique constraint, not a prior SELECT, stops
    # a second signature from the same address, so two concurrent requests
    # cannot both insert (PostgreSQL and SQLite both support this form).
    # Screening runs in the same statement, so it costs no round trip; two
    # concurrent signatures may both see a limit not yet reached, which lets
    # at most a few more through than the limit: limits are a signal, not a
    # guarantee. "WHERE true" tells SQLite's parser that ON CONFLICT is not a join.
    # "LIMIT 1" keeps the screening a subquery of its own: merged into the outer
    # SELECT, its checks ran twice, once for each use of `reason`.
    return (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608 - our names
        f"SELECT {placeholders}, screened.reason, "
        f"CASE WHEN screened.reason = '' THEN {screening.sql_literal(Signature.State.PENDING)}"
        f" ELSE {screening.sql_literal(Signature.State.HELD)} END "
        f"FROM ({screening.held_reason_sql()} LIMIT 1) AS screened WHERE true "
        "ON CONFLICT (petition_id, email_digest) DO NOTHING RETURNING id"
    )


def _insert_params() -> tuple[tuple[str, str], ...]:
    """The name and SQL type of each parameter of `_insert_sql`, for its PostgreSQL function."""
    by_column = {f.column: f for f in Signature._meta.concrete_fields}
    return (
        *((c, by_column[c].db_type(connection)) for c in _INSERT_COLUMNS),
        *screening.HELD_REASON_PARAMS,
    )


def insert_function_install(*, using: str = "default", **_signal) -> None:
    """Create the PostgreSQL function signing runs (a post_migrate receiver: apps.py)."""
    stored.install(_insert_sql(), _insert_params(), using=using)


@cache
def _insert_call() -> tuple[str, tuple[int, ...] | None]:
    """The statement signing runs, and which of its values it takes (None: all): on
    PostgreSQL, its function; elsewhere, the statement itself."""
    if connection.vendor != "postgresql":
        return _insert_sql(), None
    return stored.call(_insert_sql(), _insert_params())


@cache
def _resend_sql(*, confirmed_too: bool) -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # One statement, so concurrent duplicates cannot push the number of
    # e-mails past the limit. A held signature is resent like a pending or a
    # confirmed one, depending on whether its signer confirmed, so a
    # duplicate cannot tell it apart. With confirmed_too (a signer signing
    # again) a confirmed row is marked due as well: the worker sees its state
    # and sends "you have already signed" instead of a link to confirm. The
    # same single UPDATE either way, so the answer and its timing stay alike.
    # An anonymised row has no address left to write to. Ending a worker's
    # lease on the row means its e-mail, if already on its way, does not count
    # for this request: the row stays due and the request's task sends it.
    which = (
        "state IN (%s, %s, %s) AND anonymised_at IS NULL" if confirmed_too
        else "state IN (%s, %s) AND confirmed_at IS NULL"
    )
    return (
        f"UPDATE {table} SET confirmation_sends = confirmation_sends + 1, "  # noqa: S608
        "confirmation_due = %s, confirmation_claimed_until = NULL, "
        # A sealed row may have dropped its readable address once confirmed: the
        # one just typed is kept until this e-mail is sent (sealing/services.py).
        "email = CASE WHEN email = '' THEN %s ELSE email END "
        f"WHERE petition_id = %s AND email_digest = %s AND {which} "
        "AND confirmation_sends < %s RETURNING id"
    )


def _request_resend(
    cursor, *, petition_id: int, digest: str, limit: int, confirmed_too: bool = False,
    email_token: str = "",
) -> bool:
    states = [Signature.State.PENDING, Signature.State.HELD]
    if confirmed_too:
        states.append(Signature.State.CONFIRMED)
    cursor.execute(
        _resend_sql(confirmed_too=confirmed_too),
        (True, email_token, petition_id, digest, *states, limit),
    )
    return cursor.fetchone() is not None


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
    held_reason: str = "",
    partner_id: int | None = None,
    partner_opt_ins: tuple[int, ...] = (),
) -> None:
    """Record a pending (or held) signature; its confirmation e-mail follows from the worker.

    Returns nothing on purpose: a second signature from the same address is
    answered exactly like a first one, so no caller can tell who has signed.
    A duplicate that is still unconfirmed gets the confirmation e-mail again;
    one whose signer already confirmed gets "you have already signed" with
    their private link; either a few times at most, all e-mails counted.

    A first signature is one INSERT, its own transaction: the row records the
    signature and that its e-mail is due, so an acknowledged signature and its
    e-mail cannot be lost, and nothing else is written on the hot path. The
    same statement screens it (chorus.signatures.screening): a signature over
    a limit, from a disposable or blocked address, or with a `held_reason`
    from the caller is stored as held, gets the same e-mail, and counts only
    once a moderator releases it.

    `partner_id` (the partner whose link the signer came through) is a column
    of that same INSERT. `partner_opt_ins` (partners the signer asked to hear
    from, already checked against the petition) are rows of their own: only a
    signer who ticked one pays for a transaction and a second INSERT, written
    together with the signature or not at all. A duplicate's boxes are ignored,
    like its other choices, so the answer stays the same.
    """
    digest = email_digest(email)
    address_ip_digest = ip_digest(ip)
    domain = screening.email_domain(email)
    now = timezone.now()
    email_token = crypto.encrypt(email.strip())
    # A partner the signer asked to hear from needs their name, as the updates
    # need their address: it stays readable beside the sealed copy.
    name, postcode, sealed, sealed_to = sealing.on_signing(
        petition_id=petition_id, name=name, email=email.strip(), postcode=postcode,
        country=country, show_name=show_name or bool(partner_opt_ins),
    )
    params = (
        petition_id, name, email_token, digest, country,
        crypto.encrypt(postcode), updates, show_name, False, source, address_ip_digest,
        language, True, 1, connection.ops.adapt_datetimefield_value(now), domain, 0,
        sealed, sealed_to, current_host(), partner_id,
        *screening.held_reason_params(
            petition_id=petition_id, ip_digest=address_ip_digest, domain=domain,
            address_digest=digest, reason=held_reason[:32], now=now,
        ),
    )
    sql, takes = _insert_call()
    with transaction.atomic() if partner_opt_ins else nullcontext():
        # Outside a transaction, in one statement with the signatures arriving meanwhile.
        inserted = stored.insert(sql, params if takes is None else [params[i] for i in takes],
                                 order=(petition_id, digest))
        if inserted is not None and partner_opt_ins:
            Signature.partner_opt_ins.through.objects.bulk_create(
                Signature.partner_opt_ins.through(signature_id=inserted, partner_id=partner)
                for partner in partner_opt_ins
            )
        if inserted is None:
            with stored.cursor() as cursor:
                due = _request_resend(
                    cursor, petition_id=petition_id, digest=digest,
                    limit=settings.CHORUS_CONFIRMATION_MAX_SENDS, confirmed_too=True,
                    email_token=email_token,
                )
        else:
            due = True
    if due:
        transaction.on_commit(confirmations_schedule)


_schedule_lock = threading.Lock()
_next_drain_at = 0.0


def confirmations_schedule() -> None:
    """Make sure a worker sends due confirmation e-mails within a second or so.

    During a rush each server process enqueues one deferred task per
    CHORUS_CONFIRMATION_BATCH_SECONDS instead of one per signature; the task,
    running after that window, sends every e-mail due by then, including any
    left over by a process that stopped before scheduling its own.
    """
    global _next_drain_at
    window = settings.CHORUS_CONFIRMATION_BATCH_SECONDS
    backend = task_backends[send_due_confirmations.backend]
    if window <= 0 or not backend.supports_defer:
        send_due_confirmations.enqueue()
        return
    with _schedule_lock:
        now = time.monotonic()
        if now < _next_drain_at:
            return  # a task already scheduled from this process will run after this commit
        _next_drain_at = now + window
    run_after = timezone.now() + timedelta(seconds=window)
    send_due_confirmations.using(run_after=run_after).enqueue()


def confirmations_retry(*, now=None) -> bool:
    """Have the worker send confirmation e-mails whose lease ran out unsent; whether any did.

    The periodic step: a worker killed while sending, or stopped by a failing
    mail server, left them due with nobody to send them. One probe of the
    partial index, and a task only when there is something to send.
    """
    if not confirmations_stalled(now=now):
        return False
    send_due_confirmations.enqueue()
    return True


def reminders_schedule(*, now=None) -> bool:
    """Have the worker send the reminders to confirm that are due; whether any were.

    The periodic step: one indexed probe, and a task only when there is
    something to send, so a quiet site queues nothing.
    """
    if not reminders_due(now=now):
        return False
    send_due_reminders.enqueue()
    return True


def signature_from_token(token: str, *, check_age: bool = True) -> Signature:
    """The signature a confirmation link is for.

    Raises signing.SignatureExpired, signing.BadSignature, ValueError or
    Signature.DoesNotExist (erased since the link was sent).
    """
    signature_id = tokens.signature_id_from_token(token, check_age=check_age)
    return Signature.objects.select_related("petition").get(pk=signature_id)


def signature_confirm(*, signature: Signature) -> bool:
    """Confirm a signature from its link; confirming twice is harmless.

    On a count-only petition, a signer who asked neither for updates nor to
    be named keeps nothing stored but the country and the digest.
    """
    newly_confirmed = signature.confirm()
    if newly_confirmed:
        logger.info("signature %s confirmed", signature.pk)
        # A held signature keeps its data until a moderator decides: the
        # moderator needs its domain and digests to judge it.
        if signature.state == Signature.State.CONFIRMED:
            _anonymise_if_count_only([signature.pk])
        # The flow has ended: a sealed signer's address is readable no more,
        # unless they asked for updates.
        Signature.objects.filter(pk=signature.pk).drop_server_copies()
        signature.refresh_from_db()
    return newly_confirmed


def _anonymise_if_count_only(signature_ids: list[int]) -> int:
    """On a count-only petition, keep only the country and digest of a confirmed signer
    who asked neither for updates, nor to be named, nor to hear from a partner."""
    return Signature.objects.filter(
        pk__in=signature_ids, state=Signature.State.CONFIRMED, petition__count_only=True,
        updates=False, show_name=False, anonymised_at__isnull=True,
        partner_opt_ins__isnull=True,  # nor to hear from a partner
    ).anonymise(keep_digest=True)


def _held_summary(signatures) -> dict[str, int]:
    petitions = sorted({signature.petition_id for signature in signatures})
    return {"petitions": petitions, "signatures": len(signatures)}


def _held_for_update(signature_ids: list[int]):
    return Signature.objects.select_for_update().filter(
        pk__in=signature_ids, state=Signature.State.HELD
    )


def signatures_release(*, signature_ids: list[int], moderator) -> int:
    """Let held signatures through; confirmed ones count at the next counter run.

    Those whose signer has not confirmed yet become pending and count once
    they do. Returns how many were released; recorded in the audit log.
    """
    with transaction.atomic():
        held = list(_held_for_update(signature_ids).only("pk", "petition_id", "confirmed_at"))
        ids = [signature.pk for signature in held]
        released = Signature.objects.filter(pk__in=ids).release()
        _anonymise_if_count_only(ids)
        if released:
            confirmed = sum(1 for signature in held if signature.confirmed_at)
            audit_record(actor=moderator, action="signatures.release",
                         released=released, confirmed=confirmed, **_held_summary(held))
    logger.info("%d held signatures released", released)
    return released


def signatures_reject_held(*, signature_ids: list[int], moderator) -> int:
    """Invalidate held signatures: they never count. Recorded in the audit log and,
    per petition, in its public invalidation record."""
    with transaction.atomic():
        held = list(_held_for_update(signature_ids).only("pk", "petition_id"))
        rejected = Signature.objects.filter(pk__in=[s.pk for s in held]).reject_held()
        if rejected:
            audit_record(actor=moderator, action="signatures.reject_held",
                         invalidated=rejected, **_held_summary(held))
            for petition_id, count in Counter(s.petition_id for s in held).items():
                invalidation_record(petition_id=petition_id, kind=Invalidation.Kind.HELD,
                                    reason=Invalidation.Reason.HELD, signatures=count)
    logger.info("%d held signatures invalidated", rejected)
    return rejected


def signatures_invalidate(*, signature_ids: list[int], reason: str, moderator) -> int:
    """Invalidate chosen signatures one by one (the admin's action); returns how many.

    Each petition's public invalidation record gets the number and the reason;
    `counted` is how many of them were in the count, the most it may drop.
    """
    with transaction.atomic():
        rows = list(Signature.objects.select_for_update().filter(pk__in=signature_ids)
                    .exclude(state=Signature.State.INVALIDATED)
                    .values_list("pk", "petition_id", "counted"))
        Signature.objects.filter(pk__in=[pk for pk, _p, _c in rows]).update(
            state=Signature.State.INVALIDATED, invalidated_at=timezone.now(),
            confirmation_due=False,
        )
        by_petition: dict[int, list[bool]] = {}
        for _pk, petition_id, counted in rows:
            by_petition.setdefault(petition_id, []).append(counted)
        for petition_id, counted in by_petition.items():
            invalidation_record(petition_id=petition_id, kind=Invalidation.Kind.SINGLE,
                                reason=reason, signatures=len(counted), counted=sum(counted))
        if rows:
            audit_record(actor=moderator, action="signatures.invalidate", reason=reason,
                         invalidated=len(rows), petitions=sorted(by_petition))
    return len(rows)


def confirmation_resend(*, token: str) -> None:
    """Send a fresh link for an expired one, if the signature still waits for it."""
    try:
        signature = signature_from_token(token, check_age=False)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return
    limit = settings.CHORUS_CONFIRMATION_MAX_SENDS + settings.CHORUS_EXPIRED_LINK_RESENDS
    with connection.cursor() as cursor:
        due = _request_resend(
            cursor, petition_id=signature.petition_id, digest=signature.email_digest,
            limit=limit,
        )
    if due:
        transaction.on_commit(confirmations_schedule)


@dataclass(frozen=True)
class Reencryption:
    reencrypted: int
    undecryptable: list[int]


def signatures_reencrypt(*, batch_size: int = 1000, progress=None) -> Reencryption:
    """Re-encrypt addresses and postcodes with the newest key, batch by batch.

    Reads the stored tokens with SQL, not through the field (which reads an
    undecryptable value as ""), so that rows no key can read are reported.
    """
    table = connection.ops.quote_name(Signature._meta.db_table)
    select = f"SELECT id, email, postcode FROM {table} WHERE id > %s ORDER BY id LIMIT %s"  # noqa: S608
    update = f"UPDATE {table} SET email = %s, postcode = %s WHERE id = %s"  # noqa: S608
    total = Signature.objects.count()
    done, reencrypted, undecryptable, last_pk = 0, 0, [], 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(select, [last_pk, batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            for pk, email, postcode in rows:
                try:
                    fresh = (crypto.reencrypt(email), crypto.reencrypt(postcode))
                except crypto.Undecryptable:
                    undecryptable.append(pk)
                    continue
                cursor.execute(update, [*fresh, pk])
                reencrypted += 1
        done += len(rows)
        last_pk = rows[-1][0]
        if progress:
            progress(done, total)
    if undecryptable:
        logger.warning("%d signatures could not be decrypted", len(undecryptable))
    return Reencryption(reencrypted=reencrypted, undecryptable=undecryptable)


def signature_from_manage_token(token: str) -> Signature:
    """The signature a manage link is for; raises BadSignature, ValueError, DoesNotExist."""
    signature_id = tokens.signature_id_from_manage_token(token)
    return Signature.objects.select_related("petition").get(pk=signature_id)


def signature_data(signature: Signature) -> dict:
    """Everything stored about a signer, for them to download."""
    return {
        "petition": {
            "title": signature.petition.title,
            "url": origin_for(signature.site_host) + signature.petition.get_absolute_url(),
        },
        "name": signature.name,
        "email": signature.email,
        "email_digest": signature.email_digest,
        "country": str(signature.country),
        "postcode": signature.postcode,
        "updates": signature.updates,
        "show_name": signature.show_name,
        # Held is never shown to the signer (docs/counting.md).
        "state": signature.state_for_signer,
        "source": signature.source,
        # Which partner organisations know of this signature, and which may write.
        "came_through_partner": _partner_name(signature.partner),
        "partners_to_hear_from": [_partner_name(partner) for partner
                                  in signature.partner_opt_ins.select_related("organisation")],
        "language": signature.language,
        "ip_digest": signature.ip_digest,
        "signed_at": signature.created_at.isoformat(),
        "confirmed_at": signature.confirmed_at.isoformat() if signature.confirmed_at else None,
        "withdrawn_at": signature.withdrawn_at.isoformat() if signature.withdrawn_at else None,
        **_sealed_data(signature),
    }


def _partner_name(partner) -> str | None:
    return partner.organisation.name if partner and partner.organisation else None


def _sealed_data(signature: Signature) -> dict:
    """What the download says about the copy only the organisation can open."""
    if not signature.sealed_to_id:
        return {"sealed": None}
    return {"sealed": {
        "to_organisation_key": signature.sealed_to.fingerprint,
        "fields": list(sealing.SEALED_FIELDS),
        "about": "The fields above are what this server can read. Your name, e-mail "
                 "address, postcode and country are also sealed to the organisation's own "
                 "key: only the organisation can open that copy, on its own computers, and "
                 "this server cannot. Erasing your signature deletes it too.",
        "value": signature.sealed,
    }}


@dataclass(frozen=True)
class Retention:
    unconfirmed_deleted: int
    ip_digests_deleted: int
    anonymised: int


def signatures_apply_retention(*, now=None) -> Retention:
    """Delete or anonymise what the retention settings say has been kept long enough.

    Never changes a count: unconfirmed signatures were never counted, and
    anonymised ones keep their state and country.
    """
    now = now or timezone.now()
    days = timedelta(days=1)
    unconfirmed, _ = Signature.objects.filter(
        state=Signature.State.PENDING,
        created_at__lt=now - settings.CHORUS_UNCONFIRMED_RETENTION_DAYS * days,
    ).delete()
    ip_digests = Signature.objects.filter(
        created_at__lt=now - settings.CHORUS_IP_DIGEST_RETENTION_DAYS * days,
    ).exclude(ip_digest="").update(ip_digest="")
    ended = now - settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS * days
    # A petition taken down has ended too: counted from when it closed, or else
    # from the takedown, so that taking it down never keeps its signers' data longer.
    petition_ended = (
        Q(petition__state__in=[Petition.State.CLOSED, Petition.State.TAKEN_DOWN],
          petition__closed_at__lt=ended)
        | Q(petition__state=Petition.State.TAKEN_DOWN, petition__closed_at__isnull=True,
            petition__taken_down_at__lt=ended)
    )
    anonymised = Signature.objects.filter(petition_ended, anonymised_at__isnull=True).anonymise()
    # A kept delivery document names signers too: it goes with their data.
    DeliveryDocument.objects.filter(petition_ended).discard()
    # Paper rows of the same petitions, typed in but never verified, go the same way.
    PaperRow.objects.filter(
        Q(entry__batch__petition__state__in=[Petition.State.CLOSED, Petition.State.TAKEN_DOWN],
          entry__batch__petition__closed_at__lt=ended)
        | Q(entry__batch__petition__state=Petition.State.TAKEN_DOWN,
            entry__batch__petition__closed_at__isnull=True,
            entry__batch__petition__taken_down_at__lt=ended),
    ).exclude(name="", email="").update(name="", email="", updates=False)
    logger.info(
        "retention: %d unconfirmed deleted, %d IP digests deleted, %d anonymised",
        unconfirmed, ip_digests, anonymised,
    )
    return Retention(unconfirmed, ip_digests, anonymised)


def petition_purge(*, petition: Petition, actor) -> int:
    """Remove every signer's personal data from one petition at once (an emergency).

    Counts and country totals stay; unconfirmed signatures, which never
    counted, go entirely. Recorded in the audit log.
    """
    with transaction.atomic():
        deleted, _ = petition.signatures.filter(state=Signature.State.PENDING).delete()
        anonymised = petition.signatures.filter(anonymised_at__isnull=True).anonymise()
        # Paper rows still waiting for their second entry hold names and addresses too.
        PaperRow.objects.filter(entry__batch__petition=petition).update(name="", email="",
                                                                         updates=False)
        DeliveryDocument.objects.filter(petition=petition).discard()
        audit_record(
            actor=actor, action="petition.purge", target=petition,
            anonymised=anonymised, unconfirmed_deleted=deleted,
        )
    logger.warning("petition %s purged: %d anonymised, %d deleted",
                   petition.pk, anonymised, deleted)
    return anonymised + deleted


CSV_COLUMNS = [
    "signed_at", "confirmed_at", "name", "email", "country", "postcode", "updates",
    "show_name", "source", "language",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutralise(value) -> str:
    """A spreadsheet must show a cell, never run it as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def signatures_csv_rows(*, petition: Petition, actor, sealed: bool = False):
    """The confirmed signatures of a petition as CSV lines, generated one by one.

    For the organisation's own records: addresses (and postcodes) only of
    signers who agreed to hear more. With `sealed` (the organisation has a
    key) a last column holds each row's sealed fields, which only the
    organisation's private key opens (`tools/chorus-open` fills them in).
    Streams from the database in chunks, so a million rows never sit in
    memory. Recorded in the audit log with the number of rows actually sent,
    even if the download stops half-way.
    """
    line = _csv_line_writer()
    rows = 0
    try:
        yield line([*CSV_COLUMNS, "sealed"] if sealed else CSV_COLUMNS)
        signatures = petition.signatures.filter(state=Signature.State.CONFIRMED).order_by("pk")
        for signature in signatures.iterator(chunk_size=2000):
            consented = signature.updates
            rows += 1
            yield line([
                signature.created_at.isoformat(),
                signature.confirmed_at.isoformat() if signature.confirmed_at else "",
                signature.name, signature.email if consented else "",
                signature.country.code, signature.postcode if consented else "",
                "yes" if consented else "no", "yes" if signature.show_name else "no",
                signature.source, signature.language,
                *([signature.sealed] if sealed else []),
            ])
    finally:
        audit_record(actor=actor, action="petition.export_csv", target=petition, rows=rows)


def _csv_line_writer():
    """One CSV line at a time, each value neutralised against formula injection."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_neutralise(value) for value in values])
        return buffer.getvalue()

    return line


PARTNER_CSV_COLUMNS = ["confirmed_at", "name", "email", "country"]


def partner_signatures_csv_rows(*, partner, actor):
    """The confirmed signers who asked to hear from this partner, as CSV lines.

    For the partner's own records, and only what it was given consent for:
    name, address, country and date; never the owner's other signers, nor
    another partner's. Streams like signatures_csv_rows and is audited the
    same way, with the rows actually sent.
    """
    line = _csv_line_writer()
    rows = 0
    try:
        yield line(PARTNER_CSV_COLUMNS)
        signatures = (partner.opted_in.filter(state=Signature.State.CONFIRMED)
                      .only("confirmed_at", "name", "email", "country").order_by("pk"))
        for signature in signatures.iterator(chunk_size=2000):
            rows += 1
            yield line([
                signature.confirmed_at.isoformat() if signature.confirmed_at else "",
                signature.name, signature.email, signature.country.code,
            ])
    finally:
        audit_record(actor=actor, action="partner.export_csv", target=partner.petition,
                     partner=partner.pk, organisation=partner.organisation.slug, rows=rows)
