"""Publishing the log: when statements come, what they say, and that they verify."""

import datetime
import json
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chorus.moderation.abuse.services import (
    Conditions,
    invalidation_batch_undo,
    signatures_bulk_invalidate,
)
from chorus.petitions.models import Petition
from chorus.signatures.models import Invalidation, LogLeaf, Signature, Statement
from chorus.signatures.services import signatures_invalidate, signatures_reject_held
from chorus.signatures.transparency import keys, receipts, services
from chorus.signatures.transparency.services import log_publish

from .conftest import confirmed

MINUTE = datetime.timedelta(minutes=1)


def statements(petition):
    return [json.loads(s.document) for s in Statement.objects.filter(petition=petition)]


def verify(petition, verifier):
    from chorus.signatures.management.commands.verifylog import Database

    return verifier.verify(Database(petition), report=verifier.Report(out=open("/dev/null", "w")))


def test_a_statement_counts_exactly_the_counted_signatures(petition, clock, verifier):
    for i in range(5):
        confirmed(petition, f"signer{i}@example.org")
    (statement,) = log_publish()
    document = json.loads(statement.document)
    assert document["count"] == document["tree_size"] == 5 == statement.signature_count
    assert Petition.objects.get(pk=petition.pk).signature_count == 5
    leaves = sorted(bytes(leaf) for leaf in Signature.objects.values_list("receipt_leaf",
                                                                           flat=True))
    assert document["root"] == verifier.merkle_root(leaves).hex()
    assert document["previous"] is None and document["added"] == 5
    assert not verify(petition, verifier).failures


def test_at_most_one_statement_an_hour_and_none_for_an_unchanged_hour(petition, clock):
    confirmed(petition, "a@example.org")
    assert len(log_publish()) == 1
    clock.advance(MINUTE)
    confirmed(petition, "b@example.org")
    assert log_publish() == []  # the same hour: the next statement waits for the next hour
    clock.advance()
    assert [s.signature_count for s in log_publish()] == [2]
    clock.advance()
    assert log_publish() == []  # nothing changed in the hour


def test_an_open_petition_says_so_once_a_day_even_unchanged(petition, clock):
    confirmed(petition, "a@example.org")
    log_publish()
    clock.advance(clock.now.replace(hour=23, minute=59) - clock.now)
    assert log_publish() == []
    clock.advance(2 * MINUTE)
    (heartbeat,) = log_publish()
    assert heartbeat.signature_count == 1 and json.loads(heartbeat.document)["added"] == 0


def test_one_in_one_out_in_an_hour_is_a_new_statement_with_the_same_count(petition, clock,
                                                                            verifier):
    first = confirmed(petition, "a@example.org")
    log_publish()
    clock.advance()
    first.withdraw()
    confirmed(petition, "b@example.org")
    (statement,) = log_publish()
    document = json.loads(statement.document)
    assert document["count"] == 1 and document["added"] == 1
    assert document["removed"] == {"withdrawn": 1, "erased": 0, "invalidated": 0, "other": 0}
    assert not verify(petition, verifier).failures


def test_a_chain_of_hours_through_every_kind_of_change_verifies(petition, clock, verifier,
                                                                  moderator, immediate_tasks,
                                                                  django_capture_on_commit_callbacks):
    kept = [confirmed(petition, f"kept{i}@example.org") for i in range(4)]
    for i in range(3):
        confirmed(petition, f"bot{i}@disposable.example")
    log_publish()
    clock.advance()
    kept[0].withdraw()
    kept[1].erase()
    log_publish()
    clock.advance()
    with django_capture_on_commit_callbacks(execute=True):
        batch = signatures_bulk_invalidate(
            conditions=Conditions(petition=petition, email_domain="disposable.example"),
            moderator=moderator, expected=3, reason=Invalidation.Reason.DISPOSABLE)
    batch.refresh_from_db()
    assert batch.invalidated == 3
    log_publish()
    clock.advance()
    signatures_invalidate(signature_ids=[kept[2].pk], reason=Invalidation.Reason.ONE_PERSON,
                          moderator=moderator)
    confirmed(petition, "late@example.org")
    log_publish()
    clock.advance()
    invalidation_batch_undo(batch=batch, moderator=moderator)
    log_publish()

    chain = statements(petition)
    assert [s["count"] for s in chain] == [7, 5, 2, 2, 5]
    assert chain[1]["removed"] == {"withdrawn": 1, "erased": 1, "invalidated": 0, "other": 0}
    assert chain[2]["removed"]["invalidated"] == 3
    assert chain[2]["invalidations"] == [{
        "id": batch.public_record_id, "at": chain[2]["invalidations"][0]["at"], "kind": "bulk",
        "reason": "disposable", "signatures": 3, "counted": 3, "restored": 0}]
    assert chain[3]["invalidated_total"] == 4
    assert chain[4]["added"] == 3 and chain[4]["invalidations"][0]["restored"] == 3
    assert not verify(petition, verifier).failures
    call_command("verifylog", petition.slug, stdout=open("/dev/null", "w"))


def test_a_silent_cut_is_caught(petition, clock, verifier):
    signatures = [confirmed(petition, f"s{i}@example.org") for i in range(3)]
    log_publish()
    clock.advance()
    # Someone with the database makes a counted signature vanish without a record.
    Signature.objects.filter(pk=signatures[0].pk).update(state=Signature.State.PENDING)
    log_publish()
    report = verify(petition, verifier)
    assert any("no stated reason" in failure for failure in report.failures)
    with pytest.raises(CommandError):
        call_command("verifylog", stdout=open("/dev/null", "w"))


def test_an_invalidation_beyond_its_record_is_caught(petition, clock, verifier):
    signatures = [confirmed(petition, f"s{i}@example.org") for i in range(3)]
    log_publish()
    clock.advance()
    Signature.objects.filter(pk=signatures[0].pk).update(state=Signature.State.INVALIDATED)
    log_publish()
    report = verify(petition, verifier)
    assert any("accounts for only 0" in failure for failure in report.failures)


def test_held_rejections_are_on_the_record_and_change_no_count(petition, clock, moderator):
    from chorus.signatures.services import signature_create

    signature_create(petition_id=petition.pk, name="Held", email="held@example.org",
                     country="DE", held_reason="limit")
    held = Signature.objects.get(state=Signature.State.HELD)
    signatures_reject_held(signature_ids=[held.pk], moderator=moderator)
    record = Invalidation.objects.get()
    assert (record.kind, record.reason, record.signatures, record.counted) == (
        "held", "held", 1, 0)


def test_signatures_counted_without_a_web_confirmation_get_a_leaf_of_an_unknown_receipt(
        petition, clock):
    from chorus.signatures.services import signature_create

    signature_create(petition_id=petition.pk, name="API", email="api@example.org",
                     country="DE")
    Signature.objects.update(state=Signature.State.CONFIRMED)  # as the keyed API records it
    (statement,) = log_publish()
    signature = Signature.objects.get()
    assert statement.signature_count == 1 and len(bytes(signature.receipt_leaf)) == 32
    assert receipts.receipt_of(signature) is None
    assert json.loads(statement.document)["root"] == bytes(signature.receipt_leaf).hex()


def test_erasing_removes_the_leaf_but_earlier_trees_stay_rebuildable(petition, clock,
                                                                       verifier):
    signature = confirmed(petition, "a@example.org")
    confirmed(petition, "b@example.org")
    log_publish()
    leaf = bytes(Signature.objects.get(pk=signature.pk).receipt_leaf)
    clock.advance()
    signature.erase()
    assert Signature.objects.get(pk=signature.pk).receipt_leaf is None
    log_publish()
    assert leaf in list(services.snapshot_leaves(petition.pk, 1))
    assert leaf not in list(services.snapshot_leaves(petition.pk, 2))
    assert not LogLeaf.objects.filter(leaf=leaf, removed_seq__isnull=True).exists()
    assert not verify(petition, verifier).failures


def test_the_receipt_is_stored_nowhere(petition, clock):
    signature = confirmed(petition, "a@example.org")
    log_publish()
    receipt = receipts.receipt_of(Signature.objects.get(pk=signature.pk))
    assert receipt is not None
    stored = [value for row in Signature.objects.values_list() for value in row]
    stored += [value for row in LogLeaf.objects.values_list() for value in row]
    stored += [s.document for s in Statement.objects.all()]
    for value in stored:
        as_bytes = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert receipt not in as_bytes
        assert receipts.formatted(receipt).encode() not in as_bytes


def test_a_key_rotation_is_a_statement_signed_by_the_old_key(petition, clock, settings,
                                                              verifier):
    old, new = keys.generated(), keys.generated()
    settings.CHORUS_SIGNING_KEY = [old]
    confirmed(petition, "a@example.org")
    log_publish()
    clock.advance()
    settings.CHORUS_SIGNING_KEY = [new, old]
    confirmed(petition, "b@example.org")
    rotation, statement = log_publish()
    assert rotation.kind == "key" and rotation.signature_count == 1
    assert statement.key_fingerprint == keys.current_key().fingerprint != rotation.key_fingerprint
    assert not verify(petition, verifier).failures
    # Without the new key trusted anywhere but in the rotation, it still verifies.
    settings.CHORUS_SIGNING_KEY = [old]
    assert not verify(petition, verifier).failures


def test_without_the_old_key_no_statement_is_signed_by_a_stranger(petition, clock, settings,
                                                                   caplog):
    settings.CHORUS_SIGNING_KEY = [keys.generated()]
    confirmed(petition, "a@example.org")
    log_publish()
    clock.advance()
    settings.CHORUS_SIGNING_KEY = [keys.generated()]
    confirmed(petition, "b@example.org")
    with caplog.at_level(logging.ERROR):
        assert log_publish() == []
    assert "no longer configured" in caplog.text


def test_what_it_counts_is_handed_on_for_milestones(petition, clock):
    confirmed(petition, "a@example.org")
    confirmed(petition, "b@example.org")
    changes = {}
    log_publish(counted=changes)
    assert changes == {petition.pk: 2}
