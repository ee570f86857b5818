"""Paper signatures: batches, their two entries, verification and counting.

A batch counts only once two different people have typed it in and the
second has accepted it (docs/paper-signatures.md). Verifying turns its rows
into confirmed signatures, which the counter folds in at its next run like
confirmed online ones: nothing here touches the petition's count.
"""

import logging
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures import screening
from chorus.signatures.models import PaperBatch, PaperEntry, PaperRow, Signature
from chorus.signatures.paper.models import name_digest
from chorus.signatures.sealing import services as sealing
from chorus.signatures.transparency.receipts import anonymous_leaf

logger = logging.getLogger(__name__)

# No 0/O, 1/I/L: the code is read off paper and typed in.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
_CODE_LENGTH = 6


class EntryRefused(Exception):
    """This person may not write this entry now; the message says why."""


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))


def batch_create(*, petition: Petition, actor, collector: str, expected_rows: int,
                 collector_member=None, collected_where: str = "",
                 collected_on=None) -> PaperBatch:
    """A new batch with a short code of its own; recorded in the audit log."""
    for _attempt in range(10):
        try:
            # The unique column, not a prior SELECT, decides whether a code is free.
            with transaction.atomic():
                batch = PaperBatch.objects.create(
                    petition=petition, code=_new_code(), collector=collector,
                    collector_member=collector_member, collected_where=collected_where,
                    collected_on=collected_on, expected_rows=expected_rows, created_by=actor,
                )
                audit_record(actor=actor, action="paper.batch_create", target=petition,
                             batch=batch.code, expected_rows=expected_rows)
                return batch
        except IntegrityError:
            continue
    raise RuntimeError("no free batch code after 10 tries")


def _entry_for(batch: PaperBatch, number: int, actor) -> PaperEntry:
    """The entry `actor` may write, made on first use; EntryRefused otherwise.

    The first entry is its author's alone; the second is blind and must be
    someone else's, or a batch would be "checked" by the person who typed it.
    """
    wanted = {1: PaperBatch.State.FIRST_ENTRY, 2: PaperBatch.State.SECOND_ENTRY}[number]
    if batch.state != wanted:
        raise EntryRefused("state")
    entry = batch.entry(number)
    if entry is None:
        if number == 2 and batch.entry(1).entered_by_id == actor.pk:
            raise EntryRefused("same_person")
        entry, _created = PaperEntry.objects.get_or_create(
            batch=batch, number=number, defaults={"entered_by": actor})
    if entry.entered_by_id != actor.pk:
        raise EntryRefused("someone_else")
    return entry


def may_enter(*, batch: PaperBatch, number: int, actor) -> str:
    """"" if `actor` may write entry `number` now, else why not (an EntryRefused code)."""
    wanted = {1: PaperBatch.State.FIRST_ENTRY, 2: PaperBatch.State.SECOND_ENTRY}[number]
    if batch.state != wanted:
        return "state"
    entry = batch.entry(number)
    if entry is None:
        first = batch.entry(1)
        return "same_person" if number == 2 and first.entered_by_id == actor.pk else ""
    return "" if entry.entered_by_id == actor.pk else "someone_else"


def _row_values(row: dict) -> dict:
    email = (row.get("email") or "").strip()
    return {"name": row["name"], "country": row.get("country") or "",
            "email": email, "updates": bool(row.get("updates")) and bool(email),
            "name_digest": name_digest(row["name"])}


def entry_save_rows(*, batch: PaperBatch, number: int, actor, rows: dict[int, dict | None]
                    ) -> PaperEntry:
    """Store typed rows by their line number; None empties a line. Raises EntryRefused.

    "Updates" is kept only with an address: without one nobody can be written to.
    """
    with transaction.atomic():
        entry = _entry_for(batch, number, actor)
        for position, row in rows.items():
            if row is None:
                entry.rows.filter(position=position).delete()
            else:
                PaperRow.objects.update_or_create(entry=entry, position=position,
                                                  defaults=_row_values(row))
        entry.rows_entered = entry.rows.count()
        entry.save(update_fields=["rows_entered"])
    return entry


def entry_finish(*, batch: PaperBatch, number: int, actor) -> bool:
    """The entry's author says it is complete; whether the batch moved on."""
    with transaction.atomic():
        entry = _entry_for(batch, number, actor)
        entry.finished_at = timezone.now()
        entry.rows_entered = entry.rows.count()
        entry.save(update_fields=["finished_at", "rows_entered"])
        moved = batch.first_entry_done() if number == 1 else batch.second_entry_done()
        if moved:
            audit_record(actor=actor, action="paper.entry_finish", target=batch.petition,
                         batch=batch.code, entry=number, rows=entry.rows_entered)
    return moved


def batch_import(*, batch: PaperBatch, actor, rows: list[dict]) -> PaperEntry:
    """A batch typed elsewhere, as its first entry: the second stays a blind typing.

    `rows` are valid, numbered from 1 in the file's order. Finished at once;
    its time is not an entry time, so the speed figures leave it out.
    """
    with transaction.atomic():
        if batch.entry(1) is not None:
            raise EntryRefused("state")
        entry = entry_save_rows(batch=batch, number=1, actor=actor,
                                rows={index: row for index, row in enumerate(rows, start=1)})
        PaperEntry.objects.filter(pk=entry.pk).update(source=PaperEntry.Source.IMPORTED)
        entry_finish(batch=batch, number=1, actor=actor)
        audit_record(actor=actor, action="paper.import", target=batch.petition,
                     batch=batch.code, rows=len(rows))
    entry.refresh_from_db()
    return entry


@dataclass(frozen=True)
class RowComparison:
    position: int
    first: PaperRow | None
    second: PaperRow | None


def batch_compare(batch: PaperBatch) -> list[RowComparison]:
    """The lines where the two entries disagree (after normalising), in order."""
    first, second = batch.entry(1), batch.entry(2)
    by_line = [{row.position: row for row in entry.rows.all()} if entry else {}
               for entry in (first, second)]
    return [
        RowComparison(position, by_line[0].get(position), by_line[1].get(position))
        for position in sorted(set(by_line[0]) | set(by_line[1]))
        if _comparable(by_line[0].get(position)) != _comparable(by_line[1].get(position))
    ]


def _comparable(row: PaperRow | None):
    return row.comparable() if row else None


def _not_the_first_author(batch: PaperBatch, actor) -> None:
    first = batch.entry(1)
    if first is not None and first.entered_by_id == actor.pk:
        raise EntryRefused("same_person")


def batch_send_back(*, batch: PaperBatch, actor) -> bool:
    """The first entry goes back to its author to check against the sheets."""
    _not_the_first_author(batch, actor)
    with transaction.atomic():
        sent = batch.send_back()
        if sent:
            PaperEntry.objects.filter(batch=batch, number=1).update(finished_at=None)
            audit_record(actor=actor, action="paper.send_back", target=batch.petition,
                         batch=batch.code, differing=len(batch_compare(batch)))
    return sent


@dataclass(frozen=True)
class Verification:
    verified: bool  # False: someone else verified it first (or it was not ready)
    counted: int
    already_signed: list[int]  # line numbers whose address had already signed


def _no_address_digest(batch: PaperBatch, position: int) -> str:
    # Not an HMAC (those are 64 hex digits), so it never equals an address's
    # digest: it takes no one's place and blocks no one. Unique per line, so
    # the constraint lets every such row in, once.
    return f"paper-{batch.pk}-{position}"


def batch_verify(*, batch: PaperBatch, actor, corrections: dict[int, dict | None]
                 ) -> Verification:
    """Accept a batch: its rows become confirmed signatures, counted at the next run.

    The verifier may not be the first entry's author. `corrections` (line →
    row, or None to leave the line out) replace the second entry's lines the
    entries disagreed on; every other line is the same in both.

    Counted once, however many times this runs at once: the first statement
    is `UPDATE … SET state = verified WHERE id = … AND state = comparing`.
    Of two verifiers (or a double POST), the second's UPDATE waits on the
    first's row lock and, once that commits, finds the state changed and
    updates nothing (PostgreSQL re-reads the row under READ COMMITTED; SQLite
    runs one writer at a time): it returns verified=False and inserts nothing.
    The signatures are inserted in the same transaction as the transition, so
    both happen or neither.
    """
    _not_the_first_author(batch, actor)
    with transaction.atomic():
        if not batch.mark_verified(by=actor):
            return Verification(False, batch.counted_rows, list(batch.already_signed))
        rows = _accepted_rows(batch, corrections)
        counted, already = _sign(batch, rows)
        # The signatures hold the data now, encrypted or sealed; the entries keep
        # only what the anomaly figures need.
        PaperRow.objects.filter(entry__batch=batch).update(name="", email="", updates=False)
        PaperBatch.objects.filter(pk=batch.pk).update(counted_rows=len(counted),
                                                      already_signed=already)
        Signature.objects.filter(pk__in=counted).drop_server_copies()
        # A count-only petition keeps nothing of a signer who asked for nothing.
        Signature.objects.filter(pk__in=counted, petition__count_only=True,
                                 updates=False).anonymise(keep_digest=True)
        audit_record(actor=actor, action="paper.verify", target=batch.petition,
                     batch=batch.code, counted=len(counted), already_signed=len(already),
                     corrected=len(corrections))
    logger.info("paper batch %s verified: %d rows to count, %d already signed",
                batch.pk, len(counted), len(already))
    batch.refresh_from_db()
    return Verification(True, len(counted), already)


def _accepted_rows(batch: PaperBatch, corrections: dict[int, dict | None]) -> dict[int, dict]:
    second = {row.position: row for row in batch.entry(2).rows.all()}
    accepted = {
        position: {"name": row.name, "country": row.country.code if row.country else "",
                   "email": row.email, "updates": row.updates}
        for position, row in second.items()
    }
    for position, row in corrections.items():
        if row is None:
            accepted.pop(position, None)
        else:
            accepted[position] = _row_values(row)
    return dict(sorted(accepted.items()))


def _sign(batch: PaperBatch, rows: dict[int, dict]) -> tuple[list[int], list[int]]:
    """Insert each row as a confirmed signature; (new signature ids, lines already signed).

    A line whose address already signed this petition (online, or on another
    sheet) meets the unique constraint, exactly as a second online signature
    does: it is reported by its line number and not counted twice.
    """
    now = timezone.now()
    counted, already = [], []
    for position, row in rows.items():
        email = row["email"].strip()
        name, postcode, sealed, sealed_to = sealing.on_signing(
            petition_id=batch.petition_id, name=row["name"], email=email, postcode="",
            country=row["country"], show_name=False,
        )
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    petition_id=batch.petition_id, name=name, email=email,
                    email_digest=(email_digest(email) if email
                                  else _no_address_digest(batch, position)),
                    country=row["country"], updates=row["updates"] and bool(email),
                    state=Signature.State.CONFIRMED, confirmed_at=now, created_at=now,
                    confirmation_due=False, confirmation_sends=0, source="paper",
                    email_domain=screening.email_domain(email) if email else "",
                    sealed=sealed, sealed_to_id=sealed_to, paper_batch=batch,
                    # A receipt nobody is shown, as for every signature counted
                    # without a web confirmation (docs/verifiable-counts.md).
                    receipt_leaf=anonymous_leaf(batch.petition_id),
                )
        except IntegrityError:
            already.append(position)
            continue
        counted.append(signature.pk)
    return counted, already
