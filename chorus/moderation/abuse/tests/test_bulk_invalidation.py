import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest, ip_digest
from chorus.moderation.abuse import services as abuse_services
from chorus.moderation.abuse.services import (
    Conditions,
    MatchChanged,
    bulk_preview,
    invalidation_batch_undo,
    signatures_bulk_invalidate,
)
from chorus.moderation.models import InvalidationBatch
from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature

BOT_IP = "198.51.100.23"
_serial = itertools.count()
S = Signature.State


def sign(petition, count: int, *, state: str, domain: str, ip: str = "", country: str = "DE",
         minutes_ago: float = 10):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    signatures = []
    for n in itertools.islice(_serial, count):
        address = f"s{n}@{domain}"
        signatures.append(Signature(
            petition=petition, name="Signer", country=country, created_at=created,
            email_digest=email_digest(address), email=address, email_domain=domain,
            ip_digest=ip_digest(ip), state=state,
            confirmed_at=created if state == S.CONFIRMED else None,
        ))
    Signature.objects.bulk_create(signatures)


def count_of(petition) -> int:
    return Petition.objects.values_list("signature_count", flat=True).get(pk=petition.pk)


def states(petition) -> dict[str, int]:
    found: dict[str, int] = {}
    for state in Signature.objects.filter(petition=petition).values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


@pytest.fixture
def bots(petition, draft):
    """On the petition: 3 confirmed, 2 pending and 1 held from bots.example, and
    4 confirmed real signers; on another petition, 2 confirmed from bots.example."""
    sign(petition, 3, state=S.CONFIRMED, domain="bots.example", ip=BOT_IP)
    sign(petition, 2, state=S.PENDING, domain="bots.example", ip=BOT_IP)
    sign(petition, 1, state=S.HELD, domain="bots.example", ip=BOT_IP)
    sign(petition, 4, state=S.CONFIRMED, domain="example.org")
    sign(draft, 2, state=S.CONFIRMED, domain="bots.example")
    signatures_count()
    assert count_of(petition) == 7
    return Conditions(petition=petition, email_domain="bots.example")


@pytest.fixture
def after_commit(immediate_tasks, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_preview_counts_matches_and_confirmed_ones_and_changes_nothing(petition, bots):
    before = states(petition)

    preview = bulk_preview(conditions=bots)

    assert (preview.matched, preview.confirmed) == (6, 3)
    assert states(petition) == before
    assert not InvalidationBatch.objects.exists()
    assert not AuditEntry.objects.exists()


def test_every_condition_narrows_the_match(petition, bots):
    def matched(**conditions) -> int:
        return bulk_preview(conditions=Conditions(petition=petition, **conditions)).matched

    assert matched(ip_digest=ip_digest(BOT_IP)) == 6
    assert matched(email_domain="bots.example", states=(S.CONFIRMED,)) == 3
    assert matched(email_domain="bots.example", states=(S.HELD, S.PENDING)) == 3
    assert matched(country="FR") == 0
    assert matched(signed_from=timezone.now() - datetime.timedelta(minutes=5)) == 0
    assert matched(signed_to=timezone.now() - datetime.timedelta(minutes=5)) == 10


def test_bulk_invalidation_lowers_the_count_by_the_confirmed_matches_and_undo_restores_it(
        petition, draft, bots, moderator, after_commit):
    with after_commit():
        batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)

    batch.refresh_from_db()
    assert batch.state == InvalidationBatch.State.DONE
    assert (batch.matched, batch.invalidated, batch.invalidated_confirmed) == (6, 6, 3)
    assert count_of(petition) == 7 - 3
    assert states(petition) == {S.CONFIRMED: 4, S.INVALIDATED: 6}
    assert count_of(draft) == 2  # another petition's signatures are untouched

    entry = AuditEntry.objects.get(action="signatures.bulk_invalidate")
    assert entry.actor == moderator
    assert entry.target_id == str(petition.pk)
    assert entry.details["matched"] == 6 and entry.details["confirmed"] == 3
    assert entry.details["conditions"]["email_domain"] == "bots.example"

    with after_commit():
        restored = invalidation_batch_undo(batch=batch, moderator=moderator)

    assert restored == 6
    assert count_of(petition) == 7
    assert states(petition) == {S.CONFIRMED: 7, S.PENDING: 2, S.HELD: 1}
    assert not Signature.objects.filter(petition=petition, invalidated_at__isnull=False).exists()
    batch.refresh_from_db()
    assert (batch.state, batch.restored, batch.undone_by) == (
        InvalidationBatch.State.UNDONE, 6, moderator)
    undo = AuditEntry.objects.get(action="signatures.bulk_invalidate_undo")
    assert undo.details == {"batch": batch.pk, "restored": 6}


def test_the_audit_log_keeps_only_a_prefix_of_the_ip_digest(petition, bots, moderator):
    digest = ip_digest(BOT_IP)
    conditions = Conditions(petition=petition, ip_digest=digest)

    signatures_bulk_invalidate(conditions=conditions, moderator=moderator, expected=6)

    details = str(AuditEntry.objects.get(action="signatures.bulk_invalidate").details)
    assert digest[:12] in details
    assert digest not in details
    assert BOT_IP not in details and "@" not in details


def test_a_changed_match_raises_with_the_new_figures_and_does_nothing(
        petition, bots, moderator, after_commit):
    sign(petition, 1, state=S.CONFIRMED, domain="bots.example")

    with after_commit(), pytest.raises(MatchChanged) as changed:
        signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)

    assert (changed.value.preview.matched, changed.value.preview.confirmed) == (7, 4)
    assert not InvalidationBatch.objects.exists()
    assert not AuditEntry.objects.exists()
    assert S.INVALIDATED not in states(petition)


def test_nothing_to_invalidate_is_refused(petition, bots, moderator):
    with pytest.raises(ValidationError):
        signatures_bulk_invalidate(
            conditions=Conditions(petition=petition, email_domain="nobody.example"),
            moderator=moderator, expected=0)

    assert not InvalidationBatch.objects.exists()


def test_signatures_made_after_the_confirmation_are_left_alone(
        petition, bots, moderator, django_capture_on_commit_callbacks, immediate_tasks):
    with django_capture_on_commit_callbacks() as queued:
        batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)
    sign(petition, 2, state=S.PENDING, domain="bots.example", minutes_ago=-1)
    for callback in queued:
        callback()

    batch.refresh_from_db()
    assert batch.invalidated == 6
    assert Signature.objects.filter(email_domain="bots.example", petition=petition,
                                    state=S.PENDING).count() == 2


def test_large_batches_are_invalidated_in_chunks(
        petition, bots, moderator, after_commit, monkeypatch):
    monkeypatch.setattr(abuse_services, "INVALIDATION_CHUNK", 4)

    with after_commit():
        batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)

    batch.refresh_from_db()
    assert (batch.invalidated, batch.entries.count()) == (6, 6)
    assert count_of(petition) == 4


def test_undo_leaves_alone_a_signature_invalidated_again_since(
        petition, bots, moderator, after_commit):
    with after_commit():
        batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)
    # Someone restores one signature by hand, then invalidates it again.
    again = Signature.objects.filter(petition=petition, state=S.INVALIDATED).first()
    Signature.objects.filter(pk=again.pk).update(state=S.CONFIRMED)
    again.refresh_from_db()
    again.invalidate()

    with after_commit():
        restored = invalidation_batch_undo(batch=batch, moderator=moderator)

    assert restored == 5
    again.refresh_from_db()
    assert again.state == S.INVALIDATED


def test_a_batch_is_undone_only_once_and_only_when_done(petition, bots, moderator, after_commit):
    batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)
    with pytest.raises(ValidationError):
        invalidation_batch_undo(batch=batch, moderator=moderator)  # still queued

    abuse_services.invalidation_batch_run(batch_id=batch.pk)
    with after_commit():
        invalidation_batch_undo(batch=batch, moderator=moderator)
    with pytest.raises(ValidationError):
        invalidation_batch_undo(batch=batch, moderator=moderator)

    assert AuditEntry.objects.filter(action="signatures.bulk_invalidate_undo").count() == 1


def test_a_batch_runs_only_once(petition, bots, moderator):
    batch = signatures_bulk_invalidate(conditions=bots, moderator=moderator, expected=6)

    assert abuse_services.invalidation_batch_run(batch_id=batch.pk) is not None
    assert abuse_services.invalidation_batch_run(batch_id=batch.pk) is None
    assert batch.entries.count() == 6
