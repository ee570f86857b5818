import pytest
from django.db import connection

from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import PaperBatch, PaperRow, Signature
from chorus.signatures.paper import services
from chorus.signatures.paper.tests.conftest import rows, type_in
from chorus.signatures.services import signature_create
from chorus.testing import SIGNER


def both_entries(batch, editor, second_editor, first, second):
    type_in(batch, 1, editor, first)
    type_in(batch, 2, second_editor, second)
    assert batch.state == PaperBatch.State.COMPARING


def test_a_batch_entered_twice_with_one_differing_row_shows_exactly_that_row(
        batch, editor, second_editor):
    both_entries(batch, editor, second_editor,
                 rows("Anna Berg", "Boris Kahn", "Chen Li", emails={2: "Boris@Example.org"}),
                 rows("anna  berg ", "Boris Kahn", "Chen Lu", emails={2: "boris@example.org"}))

    differing = services.batch_compare(batch)

    assert [row.position for row in differing] == [3]
    assert (differing[0].first.name, differing[0].second.name) == ("Chen Li", "Chen Lu")


def test_a_row_only_one_entry_has_is_a_difference(batch, editor, second_editor):
    both_entries(batch, editor, second_editor, rows("Anna Berg", "Boris Kahn"), rows("Anna Berg"))

    differing = services.batch_compare(batch)

    assert [(row.position, row.second) for row in differing] == [(2, None)]


def test_the_second_entry_cannot_be_the_first_authors(batch, editor):
    type_in(batch, 1, editor, rows("Anna Berg"))

    with pytest.raises(services.EntryRefused):
        services.entry_save_rows(batch=batch, number=2, actor=editor, rows=rows("Anna Berg"))
    assert services.may_enter(batch=batch, number=2, actor=editor) == "same_person"


def test_the_first_author_cannot_verify(batch, editor, second_editor):
    both_entries(batch, editor, second_editor, rows("Anna Berg"), rows("Anna Berg"))

    with pytest.raises(services.EntryRefused):
        services.batch_verify(batch=batch, actor=editor, corrections={})
    assert not Signature.objects.exists()


def test_an_unverified_batch_does_not_count(batch, editor, second_editor, petition):
    both_entries(batch, editor, second_editor, rows("Anna Berg", "Boris Kahn"),
                 rows("Anna Berg", "Boris Kahn"))

    signatures_count()

    petition.refresh_from_db()
    assert petition.signature_count == 0
    assert not Signature.objects.exists()


def test_a_verified_batch_counts_once(batch, editor, second_editor, petition):
    both_entries(batch, editor, second_editor, rows("Anna Berg", "Boris Kahn"),
                 rows("Anna Berg", "Boris Kahn"))

    first = services.batch_verify(batch=batch, actor=second_editor, corrections={})
    again = services.batch_verify(batch=batch, actor=second_editor, corrections={})
    signatures_count()
    signatures_count()

    petition.refresh_from_db()
    assert (first.verified, first.counted) == (True, 2)
    assert again.verified is False
    assert petition.signature_count == 2
    assert Signature.objects.filter(paper_batch=batch, counted=True).count() == 2


def test_corrections_replace_the_differing_rows_and_an_empty_one_leaves_it_out(
        batch, editor, second_editor):
    both_entries(batch, editor, second_editor, rows("Anna Berg", "Boris Kahn", "Chen Li"),
                 rows("Anna Berg", "Boris Khan", "Chen Lu"))

    services.batch_verify(batch=batch, actor=second_editor, corrections={
        2: {"name": "Boris Kahn", "country": "FR", "email": "", "updates": False}, 3: None})

    names = set(Signature.objects.values_list("name", "country"))
    assert names == {("Anna Berg", "DE"), ("Boris Kahn", "FR")}


def test_an_address_that_already_signed_online_is_not_counted_twice(
        batch, editor, second_editor, petition):
    signature_create(petition_id=petition.pk, name=SIGNER["name"], email=SIGNER["email"],
                     country="DE")
    Signature.objects.get().confirm()
    typed = rows("Anna Berg", "Nadia P.", emails={2: SIGNER["email"].upper()})
    both_entries(batch, editor, second_editor, typed, typed)

    done = services.batch_verify(batch=batch, actor=second_editor, corrections={})
    signatures_count()

    petition.refresh_from_db()
    assert (done.counted, done.already_signed) == (1, [2])
    assert petition.signature_count == 2
    batch.refresh_from_db()
    assert batch.already_signed == [2]


def test_the_same_address_on_two_batches_counts_once(petition, editor, second_editor):
    counted = []
    for _ in range(2):
        batch = services.batch_create(petition=petition, actor=editor, collector="Stall",
                                      expected_rows=1)
        typed = rows("Anna Berg", emails={1: "anna@example.org"})
        both_entries(batch, editor, second_editor, typed, typed)
        counted.append(services.batch_verify(batch=batch, actor=second_editor,
                                             corrections={}).counted)

    assert counted == [1, 0]


def test_rows_without_an_address_each_count_and_block_nobody(
        batch, editor, second_editor, petition):
    typed = rows("Anna Berg", "Anna Berg")
    both_entries(batch, editor, second_editor, typed, typed)

    services.batch_verify(batch=batch, actor=second_editor, corrections={})

    digests = list(Signature.objects.values_list("email_digest", flat=True))
    assert len(set(digests)) == 2
    assert all(len(digest) != 64 for digest in digests)


def test_paper_signatures_are_stored_like_online_ones(batch, editor, second_editor):
    typed = rows("Anna Berg", emails={1: "anna@example.org"})
    both_entries(batch, editor, second_editor, typed, typed)

    services.batch_verify(batch=batch, actor=second_editor, corrections={})

    signature = Signature.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM signatures_signature WHERE id = %s", [signature.pk])
        stored = cursor.fetchone()[0]
    assert signature.email == "anna@example.org" and stored != "anna@example.org"
    assert signature.state == Signature.State.CONFIRMED
    assert signature.confirmation_due is False
    assert signature.receipt_leaf is not None
    # The entries no longer hold the names and addresses.
    assert set(PaperRow.objects.values_list("name", "email")) == {("", "")}


def test_send_back_reopens_the_first_entry_and_finishing_it_compares_again(
        batch, editor, second_editor):
    both_entries(batch, editor, second_editor, rows("Anna Berg"), rows("Anna Borg"))

    assert services.batch_send_back(batch=batch, actor=second_editor)
    batch.refresh_from_db()
    assert batch.state == PaperBatch.State.FIRST_ENTRY
    type_in(batch, 1, editor, rows("Anna Borg"))

    assert batch.state == PaperBatch.State.COMPARING
    assert services.batch_compare(batch) == []


def test_a_purge_empties_the_rows_still_waiting_for_their_second_entry(batch, editor, petition):
    from chorus.signatures.services import petition_purge

    type_in(batch, 1, editor, rows("Anna Berg", emails={1: "anna@example.org"}))

    petition_purge(petition=petition, actor=editor)

    assert set(PaperRow.objects.values_list("name", "email")) == {("", "")}


def test_retention_empties_unverified_rows_of_a_long_closed_petition(
        batch, editor, petition, settings):
    from datetime import timedelta

    from django.utils import timezone

    from chorus.petitions.models import Petition
    from chorus.signatures.services import signatures_apply_retention

    type_in(batch, 1, editor, rows("Anna Berg"))
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.CLOSED, closed_at=timezone.now() - timedelta(days=400))

    signatures_apply_retention()

    assert list(PaperRow.objects.values_list("name", flat=True)) == [""]
