"""Trending flags, blocks from flags, and bulk invalidation of signatures (with undo).

None of this touches the signing path: detection reads recent signatures in
two GROUP BY queries once a minute, and invalidation is done by the worker.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.audit.services import audit_record

# The two modules name each other (the worker runs what these functions queue);
# each only looks the other's functions up when called.
from chorus.moderation.abuse import tasks
from chorus.moderation.models import (
    SHORT_DIGEST_LENGTH,
    Flag,
    InvalidatedSignature,
    InvalidationBatch,
)
from chorus.petitions.models import Petition
from chorus.signatures.models import Block, Invalidation, Signature
from chorus.signatures.transparency.services import (
    invalidation_grow,
    invalidation_record,
    invalidation_restored,
)

logger = logging.getLogger(__name__)

# Signatures invalidated per transaction: short row locks, so signing and
# confirming on the same petition never wait long.
INVALIDATION_CHUNK = 1000
# The states a moderator may invalidate; the others are final already.
INVALIDATABLE_STATES = (
    Signature.State.HELD, Signature.State.PENDING, Signature.State.CONFIRMED,
)


# Trending


def _trending_groups(recent: QuerySet, column: str, threshold: int) -> list[tuple[int, str, int]]:
    # One GROUP BY over the index on (petition, <column>, created_at); COUNT(*)
    # rather than COUNT(id), so PostgreSQL can answer from the index alone.
    return list(
        recent.exclude(**{column: ""}).order_by().values("petition_id", column)
        .annotate(signatures=Count("*")).filter(signatures__gte=threshold)
        .values_list("petition_id", column, "signatures")
    )


def trending_detect(*, now: datetime.datetime | None = None) -> list[Flag]:
    """Flag every IP digest and e-mail domain that signed one petition often in the last window.

    An open flag for the same value is updated instead of duplicated; a value
    dismissed within the last window is not flagged again until a whole new
    window has passed. Returns the flags opened by this run; each is sent to
    the webhook, if there is one, after the commit.
    """

    now = now or timezone.now()
    window = settings.CHORUS_TRENDING_WINDOW_SECONDS
    since = now - datetime.timedelta(seconds=window)
    recent = Signature.objects.filter(created_at__gt=since, created_at__lte=now)
    exempt = [domain.lower() for domain in getattr(settings, "CHORUS_LIMIT_DOMAIN_EXEMPT", [])]
    found = [
        (Flag.Kind.IP, *group) for group in
        _trending_groups(recent, "ip_digest", settings.CHORUS_TRENDING_IP_THRESHOLD)
    ] + [
        (Flag.Kind.DOMAIN, *group) for group in _trending_groups(
            recent.exclude(email_domain__in=exempt), "email_domain",
            settings.CHORUS_TRENDING_DOMAIN_THRESHOLD,
        )
    ]
    if not found:
        return []
    petition_ids = {petition_id for _kind, petition_id, _value, _count in found}
    values = {value for _kind, _petition_id, value, _count in found}
    nearby = Flag.objects.filter(petition_id__in=petition_ids, value__in=values)
    opened: list[Flag] = []
    with transaction.atomic():
        open_flags = {
            (flag.petition_id, flag.kind, flag.value): flag
            for flag in nearby.filter(state=Flag.State.OPEN)
        }
        quiet = set(nearby.filter(state=Flag.State.DISMISSED, dismissed_at__gt=since)
                    .values_list("petition_id", "kind", "value"))
        updated = []
        for kind, petition_id, value, count in found:
            key = (petition_id, kind, value)
            if flag := open_flags.get(key):
                flag.count = max(flag.count, count)
                flag.last_seen_at = flag.window_end = now
                updated.append(flag)
            elif key not in quiet:
                try:
                    # A savepoint: a concurrent run may have opened it a moment ago.
                    with transaction.atomic():
                        opened.append(Flag.objects.create(
                            petition_id=petition_id, kind=kind, value=value, count=count,
                            window_seconds=window, window_start=since, window_end=now,
                            first_seen_at=now, last_seen_at=now,
                        ))
                except IntegrityError:
                    continue
        Flag.objects.bulk_update(updated, ["count", "last_seen_at", "window_end"])
        if opened and settings.CHORUS_TRENDING_WEBHOOK_URL:
            flag_ids = [flag.pk for flag in opened]
            # robust: a webhook that cannot even be queued must not undo detection.
            transaction.on_commit(
                lambda: tasks.trending_webhook_send.enqueue(flag_ids), robust=True
            )
    if opened:
        logger.info("trending: %d new flags", len(opened))
    return opened


def trending_payload(flag: Flag) -> dict:
    """What the webhook is told about a flag: never an address or an IP."""
    return {
        "petition": flag.petition.slug,
        "kind": flag.kind,
        "value": flag.short_value,
        "count": flag.count,
        "window_seconds": flag.window_seconds,
        "window_start": flag.window_start.isoformat(),
        "window_end": flag.window_end.isoformat(),
        "text": trending_text(flag),
    }


def trending_text(flag: Flag) -> str:
    # Two numbers, each with its own plural: the window is a phrase of its own,
    # the same one the flags page shows.
    within = ngettext(
        "within %(minutes)s minute", "within %(minutes)s minutes", flag.window_minutes
    ) % {"minutes": flag.window_minutes}
    return ngettext(
        "Trending on %(petition)s: %(count)d signature from %(kind)s %(value)s %(within)s.",
        "Trending on %(petition)s: %(count)d signatures from %(kind)s %(value)s %(within)s.",
        flag.count,
    ) % {
        "petition": flag.petition.slug, "count": flag.count,
        "kind": flag.get_kind_display(), "value": flag.short_value, "within": within,
    }


def flag_dismiss(*, flag: Flag, moderator) -> bool:
    """Close a flag as seen; the same value is not flagged again for a window."""
    with transaction.atomic():
        dismissed = flag.dismiss(moderator=moderator)
        if dismissed:
            audit_record(actor=moderator, action="abuse.flag_dismiss", target=flag.petition,
                         flag=flag.pk, kind=flag.kind, value=flag.short_value,
                         count=flag.count)
    return dismissed


def flag_block(*, flag: Flag, moderator) -> bool:
    """Block the flag's domain or IP digest: later signatures from it are held.

    Returns False if it was blocked already. Blocks hold the full digest, the
    value signatures are matched by.
    """
    kind = Block.Kind.IP if flag.kind == Flag.Kind.IP else Block.Kind.DOMAIN
    with transaction.atomic():
        block, created = Block.objects.get_or_create(
            kind=kind, value=flag.value,
            defaults={"created_by": moderator,
                      "note": _("Trending on %(petition)s") % {"petition": flag.petition.slug}},
        )
        if created:
            audit_record(actor=moderator, action="abuse.block", target=flag.petition,
                         flag=flag.pk, block=block.pk, kind=kind, value=flag.short_value)
    return created


# Bulk invalidation


@dataclass(frozen=True)
class Conditions:
    """Which signatures of one petition a moderator means."""

    petition: Petition
    email_domain: str = ""
    ip_digest: str = ""
    country: str = ""
    signed_from: datetime.datetime | None = None
    signed_to: datetime.datetime | None = None
    states: tuple[str, ...] = field(default=tuple(str(state) for state in INVALIDATABLE_STATES))

    def signatures(self) -> QuerySet:
        # Every condition is an equality or a range on an indexed column
        # within one petition: (petition, email_domain, created_at),
        # (petition, ip_digest, created_at) or (petition, state, created_at).
        matching = Signature.objects.filter(petition=self.petition, state__in=self.states)
        if self.email_domain:
            matching = matching.filter(email_domain=self.email_domain)
        if self.ip_digest:
            matching = matching.filter(ip_digest=self.ip_digest)
        if self.country:
            matching = matching.filter(country=self.country)
        if self.signed_from:
            matching = matching.filter(created_at__gte=self.signed_from)
        if self.signed_to:
            matching = matching.filter(created_at__lte=self.signed_to)
        return matching

    def as_json(self) -> dict:
        stored = {
            "petition": self.petition.slug, "email_domain": self.email_domain,
            "ip_digest": self.ip_digest, "country": self.country,
            "signed_from": self.signed_from.isoformat() if self.signed_from else "",
            "signed_to": self.signed_to.isoformat() if self.signed_to else "",
            "states": [str(state) for state in self.states],
        }
        return {key: value for key, value in stored.items() if value}

    def for_audit(self) -> dict:
        # The audit log outlives the IP digests' retention: keep only a prefix.
        described = self.as_json()
        if self.ip_digest:
            described["ip_digest"] = self.ip_digest[:SHORT_DIGEST_LENGTH]
        return described

    @classmethod
    def from_json(cls, petition: Petition, stored: dict) -> "Conditions":
        def moment(key: str) -> datetime.datetime | None:
            return datetime.datetime.fromisoformat(stored[key]) if stored.get(key) else None

        return cls(
            petition=petition, email_domain=stored.get("email_domain", ""),
            ip_digest=stored.get("ip_digest", ""), country=stored.get("country", ""),
            signed_from=moment("signed_from"), signed_to=moment("signed_to"),
            states=tuple(stored.get("states", INVALIDATABLE_STATES)),
        )


@dataclass(frozen=True)
class Preview:
    matched: int
    confirmed: int


def bulk_preview(*, conditions: Conditions) -> Preview:
    """How many signatures match, and how many of them count (one query, changes nothing)."""
    figures = conditions.signatures().aggregate(
        matched=Count("pk"),
        confirmed=Count("pk", filter=Q(state=Signature.State.CONFIRMED)),
    )
    return Preview(matched=figures["matched"], confirmed=figures["confirmed"])


class MatchChanged(Exception):
    """The number of matching signatures is no longer the one the moderator saw."""

    def __init__(self, preview: Preview):
        super().__init__(preview)
        self.preview = preview


def signatures_bulk_invalidate(*, conditions: Conditions, moderator, expected: int,
                               reason: str = Invalidation.Reason.OTHER) -> InvalidationBatch:
    """Queue the invalidation of the signatures matching `conditions`.

    `expected` is the number the moderator saw in the preview; if it changed
    since, MatchChanged carries the new figures and nothing is done. The
    worker invalidates only signatures made before this moment, so the batch
    never grows beyond what was confirmed. `reason` (an Invalidation.Reason)
    is what the petition's public log shows, with the date and the figures.
    """

    with transaction.atomic():
        preview = bulk_preview(conditions=conditions)
        if preview.matched != expected:
            raise MatchChanged(preview)
        if not preview.matched:
            raise ValidationError(_("No signature matches these conditions: nothing to "
                                    "invalidate."), code="nothing")
        batch = InvalidationBatch.objects.create(
            petition=conditions.petition, created_by=moderator,
            conditions=conditions.as_json(), matched=preview.matched,
            public_record=invalidation_record(petition_id=conditions.petition.pk,
                                              kind=Invalidation.Kind.BULK, reason=reason),
        )
        audit_record(actor=moderator, action="signatures.bulk_invalidate",
                     target=conditions.petition, batch=batch.pk,
                     conditions=conditions.for_audit(), matched=preview.matched,
                     confirmed=preview.confirmed)
        transaction.on_commit(lambda: tasks.invalidation_batch_run_task.enqueue(batch.pk))
    return batch


def _invalidate_chunk(batch: InvalidationBatch, matching: QuerySet, after_id: int) -> list:
    with transaction.atomic():
        # Locked, so each state recorded below is the one the UPDATE replaces
        # (a signer confirming at this moment waits for the commit).
        rows = list(
            matching.filter(pk__gt=after_id).order_by("pk").select_for_update()
            .values_list("pk", "state")[:INVALIDATION_CHUNK]
        )
        if not rows:
            return rows
        Signature.objects.filter(pk__in=[pk for pk, _state in rows]).update(
            state=Signature.State.INVALIDATED, invalidated_at=batch.started_at
        )
        InvalidatedSignature.objects.bulk_create(
            InvalidatedSignature(batch=batch, signature_id=pk, previous_state=state)
            for pk, state in rows
        )
        batch.invalidated += len(rows)
        batch.invalidated_confirmed += sum(
            1 for _pk, state in rows if state == Signature.State.CONFIRMED
        )
        batch.save(update_fields=["invalidated", "invalidated_confirmed"])
        if batch.public_record_id:
            invalidation_grow(record_id=batch.public_record_id, signatures=len(rows),
                              counted=sum(1 for _pk, state in rows
                                          if state == Signature.State.CONFIRMED))
    return rows


def invalidation_batch_run(*, batch_id: int) -> InvalidationBatch | None:
    """Invalidate a queued batch's signatures, in chunks. None if it was not queued.

    Every signature gets the batch's start time as invalidated_at, which is
    how an undo recognises the ones still invalidated by this batch.
    """
    now = timezone.now()
    claimed = InvalidationBatch.objects.filter(
        pk=batch_id, state=InvalidationBatch.State.QUEUED
    ).update(state=InvalidationBatch.State.RUNNING, started_at=now)
    if not claimed:
        return None
    batch = InvalidationBatch.objects.select_related("petition").get(pk=batch_id)
    matching = Conditions.from_json(batch.petition, batch.conditions).signatures().filter(
        created_at__lte=batch.created_at
    )
    after_id = 0
    while rows := _invalidate_chunk(batch, matching, after_id):
        after_id = rows[-1][0]
    batch.state, batch.finished_at = InvalidationBatch.State.DONE, timezone.now()
    batch.save(update_fields=["state", "finished_at"])
    logger.info("invalidation batch %s: %d signatures", batch.pk, batch.invalidated)
    return batch


def invalidation_batch_undo(*, batch: InvalidationBatch, moderator) -> int:
    """Give every signature the batch invalidated its previous state back.

    Only signatures still invalidated by this batch are restored; returns how
    many. The count follows at the counter's next run (queued at once).
    """

    with transaction.atomic():
        batch = InvalidationBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.can_undo:
            raise ValidationError(_("Only a finished batch can be undone, and only once."),
                                  code="not_done")
        restored = 0
        states = batch.entries.values_list("previous_state", flat=True).distinct()
        for state in list(states):
            restored += Signature.objects.filter(
                pk__in=batch.entries.filter(previous_state=state).values("signature_id"),
                state=Signature.State.INVALIDATED, invalidated_at=batch.started_at,
            ).update(state=state, invalidated_at=None)
        batch.state, batch.restored = InvalidationBatch.State.UNDONE, restored
        batch.undone_at, batch.undone_by = timezone.now(), moderator
        batch.save(update_fields=["state", "restored", "undone_at", "undone_by"])
        if batch.public_record_id:
            invalidation_restored(record_id=batch.public_record_id, restored=restored)
        audit_record(actor=moderator, action="signatures.bulk_invalidate_undo",
                     target=batch.petition, batch=batch.pk, restored=restored)
        transaction.on_commit(tasks.counts_reconcile.enqueue)
    return restored
