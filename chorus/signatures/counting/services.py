"""Folding confirmed signatures into each petition's cached count.

The petition row is never updated per signature: a viral petition would make
every signer wait on one row lock, which every page view also reads. Instead a
single runner, every few seconds, flips the `counted` flag of each signature
whose state changed since the last run and applies the sum of those changes to
each petition in one UPDATE. Because the flag flip and the delta come from one
statement, a signature is counted exactly once however runs and confirmations
interleave; `recount` checks the cache against a real count.
"""

import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from chorus.petitions.milestones import milestones_record
from chorus.petitions.models import Petition
from chorus.signatures.models import CountSnapshot, LogHead, Signature

logger = logging.getLogger(__name__)

# An arbitrary, fixed key for PostgreSQL's advisory lock.
_COUNTER_LOCK_KEY = 0x43686F72  # "Chor"
BATCH_SIZE = 50_000


@contextmanager
def _counter_lock():
    """Hold the counter lock for the current transaction, or yield False.

    PostgreSQL: a transaction-level advisory lock, released at commit. SQLite
    allows one writer at a time (Chorus opens transactions IMMEDIATE), which
    serialises runners by itself.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_COUNTER_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    yield False
                    return
        yield True


def _flip_sql(petition_filter: str = "") -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # The same condition as the partial index "signature_uncounted", so the
    # database only ever visits signatures that still need counting.
    return (
        f"UPDATE {table} SET counted = NOT counted WHERE id IN ("  # noqa: S608 - our names
        f"SELECT id FROM {table} WHERE ((state = %s AND counted = %s) "
        f"OR (counted = %s AND NOT state = %s)){petition_filter} LIMIT %s"
        ") RETURNING petition_id, counted"
    )


def _flip_uncounted(petition_id: int | None = None) -> Counter:
    """Flip every signature whose counted flag disagrees with its state.

    Returns the change in count per petition id.
    """
    confirmed = Signature.State.CONFIRMED
    deltas: Counter = Counter()
    sql = _flip_sql(" AND petition_id = %s" if petition_id else "")
    params = [confirmed, False, True, confirmed]
    if petition_id:
        params.append(petition_id)
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [*params, BATCH_SIZE])
            rows = cursor.fetchall()
            for row_petition_id, counted in rows:
                deltas[row_petition_id] += 1 if counted else -1
            if len(rows) < BATCH_SIZE:
                return deltas


@dataclass(frozen=True)
class CountRun:
    ran: bool
    changes: dict[int, int]


def signatures_count() -> CountRun:
    """One counter run. Returns ran=False if another runner holds the lock."""
    with counted_moment() as run:
        if run is None:
            return CountRun(ran=False, changes={})
    # Milestones and closing are the next steps of a periodic tick (chorus.periodic.steps).
    if run.changes:
        logger.info("counted %d signatures on %d petitions",
                    sum(run.changes.values()), len(run.changes))
    return run


@contextmanager
def counted_moment(now=None):
    """Count, then go on holding the counter lock; yields the run, or None if another runner has it.

    Inside, every counted flag agrees with its state and every petition's
    count with its flags, and nothing is counted or uncounted until the block
    ends: the public log builds its trees here.
    """
    with _counter_lock() as locked:
        if not locked:
            yield None
            return
        yield _count_locked(now or timezone.now())


def _count_locked(now) -> CountRun:
    deltas = _flip_uncounted()
    for petition_id, delta in deltas.items():
        if delta:
            Petition.objects.filter(pk=petition_id).update(
                signature_count=F("signature_count") + delta, counted_at=now
            )
    # The count of every open petition is now known to be current.
    Petition.objects.open_now().update(counted_at=now)
    changed = [pk for pk, delta in deltas.items() if delta]
    _snapshot(changed, now)
    # Every petition with a signature counted or uncounted, even if its count
    # came out the same (one in, one out), owes its log a statement.
    _log_changed(list(deltas), now)
    return CountRun(ran=True, changes={pk: deltas[pk] for pk in changed})


def _log_changed(petition_ids: list[int], now) -> None:
    if not petition_ids:
        return
    marked = set(LogHead.objects.filter(pk__in=petition_ids).values_list("pk", flat=True))
    LogHead.objects.filter(pk__in=marked).update(changed_at=now)
    LogHead.objects.bulk_create(
        [LogHead(petition_id=pk, changed_at=now) for pk in petition_ids if pk not in marked],
        ignore_conflicts=True,
    )


@dataclass(frozen=True)
class Drift:
    petition_id: int
    cached: int
    actual: int


def signatures_recount(*, petition_ids: list[int] | None = None) -> list[Drift]:
    """Set each petition's count to a real count; report where they differed."""
    drifts = []
    petitions = Petition.objects.all()
    if petition_ids:
        petitions = petitions.filter(pk__in=petition_ids)
    for petition_id in petitions.values_list("pk", flat=True):
        with _counter_lock() as locked:
            if not locked:
                raise RuntimeError("another counter is running; try again")
            # Counting the flagged rows right after flipping them gives a
            # figure that agrees with the flags, whatever is confirmed
            # concurrently (those are still unflagged: the next run adds them).
            delta = _flip_uncounted(petition_id)[petition_id]
            actual = Signature.objects.filter(petition_id=petition_id, counted=True).count()
            cached = Petition.objects.values_list("signature_count", flat=True).get(
                pk=petition_id
            ) + delta
            if cached != actual:
                drifts.append(Drift(petition_id, cached, actual))
                logger.warning(
                    "petition %s count drifted: cached %s, actual %s", petition_id, cached, actual
                )
            now = timezone.now()
            Petition.objects.filter(pk=petition_id).update(signature_count=actual, counted_at=now)
            _snapshot([petition_id], now)
            if delta or cached != actual:
                _log_changed([petition_id], now)
            milestones_record(petition_ids=[petition_id], now=now)
    return drifts


def _snapshot(petition_ids: list[int], now) -> None:
    """Record the new counts as this hour's snapshot (the counter lock is held)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    counts = Petition.objects.filter(pk__in=petition_ids).values_list("pk", "signature_count")
    for petition_id, count in counts:
        CountSnapshot.objects.update_or_create(
            petition_id=petition_id, hour=hour, defaults={"signature_count": count}
        )
