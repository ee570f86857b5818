"""What organisers read about their paper batches: attribution and anomalies.

The flags are prompts to look at the sheets again, not verdicts: a fast
typist, a common name or a stall outside an embassy all raise them honestly.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from chorus.signatures.models import PaperBatch, PaperEntry, PaperRow, Signature


@dataclass
class BatchFigures:
    batch: PaperBatch
    rows: int
    minutes: float | None  # the first entry's typing time; None if imported or unfinished
    rows_per_minute: float | None
    fast: bool = False
    # (country code, % of this batch, usual % on the petition)
    country_flags: list[tuple[str, int, int]] = field(default_factory=list)


@dataclass
class CollectorFigures:
    collector: str
    batches: int
    rows: int
    minutes: float


@dataclass
class RepeatedName:
    # (batch code, line) of each row with the same name; the name while still readable.
    lines: list[tuple[str, int]]
    name: str


@dataclass
class Anomalies:
    batches: list[BatchFigures]
    collectors: list[CollectorFigures]
    repeated_names: list[RepeatedName]
    median_rows_per_minute: float | None


def paper_anomalies(petition) -> Anomalies:
    batches = list(petition.paper_batches.order_by("created_at"))
    firsts = {entry.batch_id: entry for entry in
              PaperEntry.objects.filter(batch__petition=petition, number=1)}
    figures = []
    for batch in batches:
        entry = firsts.get(batch.pk)
        rows = entry.rows_entered if entry else 0
        timed = entry and entry.source == PaperEntry.Source.TYPED and entry.minutes
        minutes = entry.minutes if timed else None
        figures.append(BatchFigures(batch, rows, minutes,
                                    rows / minutes if minutes else None))
    speeds = [f.rows_per_minute for f in figures if f.rows_per_minute is not None]
    median = statistics.median(speeds) if speeds else None
    factor = settings.CHORUS_PAPER_ANOMALY_FACTOR
    for figure in figures:
        # Against the median of the others too, so two batches can still compare.
        figure.fast = bool(median and len(speeds) >= 2 and figure.rows_per_minute
                           and figure.rows_per_minute > factor * median)
    _flag_countries(petition, figures, firsts)
    return Anomalies(figures, _collectors(figures), _repeated_names(petition, firsts), median)


def _collectors(figures: list[BatchFigures]) -> list[CollectorFigures]:
    by_collector: dict[str, CollectorFigures] = {}
    for figure in figures:
        name = figure.batch.collector
        row = by_collector.setdefault(name, CollectorFigures(name, 0, 0, 0.0))
        row.batches += 1
        row.rows += figure.rows
        row.minutes += figure.minutes or 0.0
    return sorted(by_collector.values(), key=lambda row: (-row.rows, row.collector))


def _flag_countries(petition, figures: list[BatchFigures], firsts: dict) -> None:
    """A batch in which one country has far more than its share of the whole petition."""
    usual = dict(Signature.objects.filter(petition=petition, counted=True)
                 .exclude(country="").values_list("country").annotate(n=Count("id")))
    total = sum(usual.values())
    per_batch: dict[int, Counter] = defaultdict(Counter)
    for batch_id, country in PaperRow.objects.filter(
            entry__in=list(firsts.values())).exclude(country="").values_list(
            "entry__batch_id", "country"):
        per_batch[batch_id][country] += 1
    minimum = settings.CHORUS_PAPER_COUNTRY_MIN_ROWS
    for figure in figures:
        countries = per_batch.get(figure.batch.pk, Counter())
        rows = sum(countries.values())
        if rows < minimum or not total:
            continue
        for country, n in countries.most_common(3):
            share, usual_share = n / rows, usual.get(country, 0) / total
            if share >= 0.5 and share > settings.CHORUS_PAPER_ANOMALY_FACTOR * usual_share:
                figure.country_flags.append((country, round(100 * share), round(100 * usual_share)))


def _repeated_names(petition, firsts: dict) -> list[RepeatedName]:
    """The same name (normalised, by its keyed digest) on rows of more than one batch."""
    rows = (PaperRow.objects.filter(entry__in=list(firsts.values())).exclude(name_digest="")
            .order_by("entry__batch__created_at", "entry__batch_id", "position")
            .values_list("name_digest", "entry__batch__code", "position", "name"))
    by_digest: dict[str, list] = defaultdict(list)
    for digest, code, position, name in rows:
        by_digest[digest].append((code, position, name))
    repeated = []
    for lines in by_digest.values():
        if len({code for code, _p, _n in lines}) > 1:
            readable = next((name for _c, _p, name in lines if name), "")
            repeated.append(RepeatedName(sorted((c, p) for c, p, _n in lines), readable))
    return sorted(repeated, key=lambda row: row.lines)
