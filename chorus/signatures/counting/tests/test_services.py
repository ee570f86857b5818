from django.core.management import call_command

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count, signatures_recount
from chorus.signatures.models import Signature


def make_signatures(petition, n, *, state=Signature.State.CONFIRMED, start=0):
    return Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {i}", email=f"s{i}@example.org",
            email_digest=email_digest(f"s{i}@example.org"), country="FR", state=state,
        )
        for i in range(start, start + n)
    )


def count_of(petition):
    return Petition.objects.get(pk=petition.pk).signature_count


def test_it_counts_confirmed_signatures_only(petition):
    make_signatures(petition, 3)
    make_signatures(petition, 2, state=Signature.State.PENDING, start=3)
    make_signatures(petition, 1, state=Signature.State.INVALIDATED, start=5)
    run = signatures_count()
    assert run.ran and run.changes == {petition.pk: 3}
    assert count_of(petition) == 3


def test_a_second_run_adds_only_what_is_new(petition):
    make_signatures(petition, 3)
    signatures_count()
    assert signatures_count().changes == {}
    make_signatures(petition, 2, start=3)
    signatures_count()
    assert count_of(petition) == 5


def test_a_confirmation_is_counted_once(petition):
    [signature] = make_signatures(petition, 1, state=Signature.State.PENDING)
    signatures_count()
    assert count_of(petition) == 0
    signature.confirm()
    signatures_count()
    signatures_count()
    assert count_of(petition) == 1


def test_an_invalidated_signature_leaves_the_count(petition):
    signatures = make_signatures(petition, 4)
    signatures_count()
    signatures[0].invalidate()
    signatures_count()
    assert count_of(petition) == 3


def test_it_keeps_petitions_apart(petition, organisation):
    other = Petition.objects.create(
        organisation=organisation, slug="other", title="Other", target="T", ask="A"
    )
    other.open()
    make_signatures(petition, 2)
    make_signatures(other, 5, start=10)
    signatures_count()
    assert (count_of(petition), count_of(other)) == (2, 5)


def test_it_records_when_the_count_was_last_checked(petition):
    signatures_count()
    first = Petition.objects.get(pk=petition.pk).counted_at
    assert first is not None
    signatures_count()
    assert Petition.objects.get(pk=petition.pk).counted_at > first


def test_recount_reports_and_corrects_drift(petition):
    make_signatures(petition, 4)
    signatures_count()
    Petition.objects.filter(pk=petition.pk).update(signature_count=10)
    [drift] = signatures_recount()
    assert (drift.petition_id, drift.cached, drift.actual) == (petition.pk, 10, 4)
    assert count_of(petition) == 4


def test_recount_finds_no_drift_when_signatures_wait_to_be_counted(petition):
    make_signatures(petition, 4)
    signatures_count()
    make_signatures(petition, 3, start=4)  # confirmed since the last run
    assert signatures_recount() == []
    assert count_of(petition) == 7


def test_the_commands_run_and_report(petition, capsys):
    make_signatures(petition, 2)
    call_command("countsignatures", verbosity=2)
    assert f"petition {petition.pk}: +2" in capsys.readouterr().out
    Petition.objects.filter(pk=petition.pk).update(signature_count=0)
    call_command("recount")
    assert "cached 0, actual 2" in capsys.readouterr().out
    call_command("recount")
    assert "No drift" in capsys.readouterr().out
