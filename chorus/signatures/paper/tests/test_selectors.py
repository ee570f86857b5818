from datetime import timedelta

from chorus.signatures.models import PaperEntry
from chorus.signatures.paper import services
from chorus.signatures.paper.selectors import paper_anomalies
from chorus.signatures.paper.tests.conftest import rows, type_in


def typed_batch(petition, editor, collector, names, minutes, country="DE"):
    batch = services.batch_create(petition=petition, actor=editor, collector=collector,
                                  expected_rows=len(names))
    typed = {line: {**row, "country": country} for line, row in rows(*names).items()}
    type_in(batch, 1, editor, typed)
    entry = batch.entry(1)
    PaperEntry.objects.filter(pk=entry.pk).update(
        started_at=entry.finished_at - timedelta(minutes=minutes))
    return batch


def test_a_batch_typed_far_faster_than_the_median_is_flagged(petition, editor):
    names = [f"Person {n}" for n in range(10)]
    normal = [typed_batch(petition, editor, "Team A", names, minutes=10) for _ in range(3)]
    fast = typed_batch(petition, editor, "Team B", names, minutes=1)

    anomalies = paper_anomalies(petition)

    flagged = {figure.batch.code for figure in anomalies.batches if figure.fast}
    assert flagged == {fast.code}
    assert anomalies.median_rows_per_minute == 1.0
    assert {b.code for b in normal}.isdisjoint(flagged)


def test_figures_per_collector_add_up_their_batches(petition, editor):
    typed_batch(petition, editor, "Team A", ["A One", "A Two"], minutes=4)
    typed_batch(petition, editor, "Team A", ["A Three"], minutes=2)
    typed_batch(petition, editor, "Team B", ["B One"], minutes=1)

    collectors = {row.collector: (row.batches, row.rows, row.minutes)
                  for row in paper_anomalies(petition).collectors}

    assert collectors == {"Team A": (2, 3, 6.0), "Team B": (1, 1, 1.0)}


def test_a_name_on_two_batches_is_listed_with_its_rows(petition, editor):
    first = typed_batch(petition, editor, "Team A", ["Anna Berg", "Boris Kahn"], minutes=2)
    second = typed_batch(petition, editor, "Team B", ["Chen Li", "anna   BERG"], minutes=2)

    repeated = paper_anomalies(petition).repeated_names

    assert [(r.lines, r.name) for r in repeated] == [
        (sorted([(first.code, 1), (second.code, 2)]), "Anna Berg")]


def test_a_country_far_above_its_usual_share_is_flagged(petition, editor, second_editor):
    usual = typed_batch(petition, editor, "Team A", [f"Person {n}" for n in range(20)],
                        minutes=10, country="DE")
    type_in(usual, 2, second_editor, {
        line: {**row, "country": "DE"}
        for line, row in rows(*[f"Person {n}" for n in range(20)]).items()})
    services.batch_verify(batch=usual, actor=second_editor, corrections={})
    from chorus.signatures.counting.services import signatures_count

    signatures_count()
    odd = typed_batch(petition, editor, "Team B", [f"Other {n}" for n in range(10)],
                      minutes=10, country="FR")

    figures = {figure.batch.code: figure for figure in paper_anomalies(petition).batches}

    assert figures[odd.code].country_flags == [("FR", 100, 0)]
    assert figures[usual.code].country_flags == []
