"""The public figures about a petition: its count, the count's history, country and partner totals.

The one source for the .json endpoints, the history page and the API, which
only name the fields differently.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries

from chorus.lib.worldmap import map_class, world_map, world_map_png
from chorus.petitions.models import Partner, Petition
from chorus.petitions.selectors import public_count_key, public_petition_or_404
from chorus.signatures.models import CountSnapshot, Signature
from chorus.signatures.transparency.selectors import latest_reference


@dataclass(frozen=True)
class CountryTotal:
    code: str
    name: str
    # None when below the floor: only "fewer than <floor>" may be shown.
    count: int | None
    fewer_than: int | None


def floored(n: int) -> tuple[int | None, int | None]:
    """(n, None), or (None, the floor) when n is below the small-count floor: a public
    figure by country, partner or paper that small shows only "fewer than <floor>"."""
    floor = settings.CHORUS_COUNTRY_FLOOR
    return (n, None) if n >= floor else (None, floor)


def country_totals(petition_id: int) -> list[CountryTotal]:
    """Confirmed signatures by country, biggest first, with small numbers hidden.

    Counts the rows the counter has counted, so the totals add up to the
    petition's cached count after each run. Cached for a minute per process.
    """
    key = f"country-totals:{petition_id}"
    rows = cache.get(key)
    if rows is None:
        rows = list(
            Signature.objects.filter(petition_id=petition_id, counted=True)
            .exclude(country="")
            .values_list("country")
            .annotate(n=Count("id"))
            .order_by("-n", "country")
        )
        cache.set(key, rows, settings.CHORUS_STATS_CACHE_SECONDS)
    names = dict(countries)  # translated into the active language
    return [CountryTotal(code, str(names.get(code, code)), *floored(n)) for code, n in rows]


@dataclass(frozen=True)
class PartnerTotal:
    source: str
    name: str
    # None when below the floor, as for countries.
    count: int | None
    fewer_than: int | None


def partner_totals(petition_id: int) -> list[PartnerTotal]:
    """The petition's one count broken down by the partner whose link brought each
    signature, biggest first, small numbers hidden behind the country floor.

    Each address counts once whichever partner brought it (the unique
    constraint), so these add up to at most the count; the rest came through
    no partner's link. Cached like country_totals.
    """
    key = f"partner-totals:{petition_id}"
    rows = cache.get(key)
    if rows is None:
        partners = list(Partner.objects.active().filter(petition_id=petition_id)
                        .values_list("pk", "source", "organisation__name"))
        counts = dict(
            Signature.objects.filter(partner_id__in=[pk for pk, _s, _n in partners], counted=True)
            .values_list("partner_id").annotate(n=Count("id")).order_by()
        )
        rows = sorted(((source, name, counts.get(pk, 0)) for pk, source, name in partners),
                      key=lambda row: (-row[2], row[1]))
        cache.set(key, rows, settings.CHORUS_STATS_CACHE_SECONDS)
    return [PartnerTotal(source, name, *floored(n)) for source, name, n in rows]


# A map depends only on each country's class (and the reader's language), so one
# drawing serves every petition whose countries fall the same way; it is kept for a day.
MAP_CACHE_SECONDS = 24 * 60 * 60


def _map_classes(petition_id: int) -> tuple[dict[str, int], str]:
    floor = settings.CHORUS_COUNTRY_FLOOR
    classes = {row.code: map_class(row.count, floor=floor)
               for row in country_totals(petition_id)}
    digest = hashlib.blake2b(repr((floor, sorted(classes.items()))).encode(),
                             digest_size=12).hexdigest()
    return classes, digest


def country_map(petition_id: int) -> SafeString:
    """The world map of country_totals, drawn once per change of a country's class and
    per language, not once per view."""
    classes, digest = _map_classes(petition_id)
    key = f"country-map:{get_language()}:{digest}"
    svg = cache.get(key)
    if svg is None:
        svg = world_map(
            classes, floor=settings.CHORUS_COUNTRY_FLOOR,
            title=_("Map of confirmed signatures by country"),
            description=_("Each country is shaded by its number of signatures; the table "
                          "below gives the same figures."),
        )
        cache.set(key, str(svg), MAP_CACHE_SECONDS)
    return SafeString(svg)


def country_map_png(petition_id: int) -> bytes:
    """The same map as a PNG, in figures only: one picture for every language."""
    classes, digest = _map_classes(petition_id)
    key = f"country-map-png:{digest}"
    png = cache.get(key)
    if png is None:
        png = world_map_png(classes, floor=settings.CHORUS_COUNTRY_FLOOR)
        cache.set(key, png, MAP_CACHE_SECONDS)
    return png


@dataclass(frozen=True)
class HistoryPoint:
    at: datetime
    signature_count: int


def count_history(petition_id: int, *, by: str = "hour") -> list[HistoryPoint]:
    """The counter's snapshots: one per hour in which the count changed, or the
    last one of each day (by="day")."""
    key = f"count-history:{petition_id}:{by}"
    points = cache.get(key)
    if points is None:
        snapshots = CountSnapshot.objects.filter(petition_id=petition_id).order_by("hour")
        points = [HistoryPoint(s.hour, s.signature_count) for s in snapshots]
        if by == "day":
            last_of_day = {point.at.date(): point for point in points}
            points = list(last_of_day.values())
        cache.set(key, points, settings.CHORUS_COUNT_CACHE_SECONDS)
    return points


def count_history_both(petition_id: int) -> dict[str, list[HistoryPoint]]:
    """The hourly and the daily history together, as the .json endpoint and the API give them."""
    return {"hourly": count_history(petition_id), "daily": count_history(petition_id, by="day")}


@dataclass(frozen=True)
class PaperFigure:
    """How many of the counted signatures were signed on paper sheets (signatures.paper)."""

    # None below the floor, as for a country: only "fewer than <floor>" is shown.
    count: int | None
    fewer_than: int | None

    def as_json(self) -> dict:
        return {"signature_count": self.count, "fewer_than": self.fewer_than}


def paper_figure(petition_id: int) -> PaperFigure | None:
    """The counted paper signatures of a petition, with the small-count floor; None if none.

    Counted rows only, so it is part of the petition's cached count after each
    run. One probe of the partial index "signature_on_paper", cached as the count is.
    """
    key = f"paper-count:{petition_id}"
    count = cache.get(key)
    if count is None:
        count = Signature.objects.filter(petition_id=petition_id, counted=True,
                                         paper_batch__isnull=False).count()
        cache.set(key, count, settings.CHORUS_COUNT_CACHE_SECONDS)
    return PaperFigure(*floored(count)) if count else None


def public_count(slug: str) -> dict | None:
    """The live count of a visible petition, as partner sites poll it; None if unknown.

    A petition the moderators took down raises PetitionTakenDown, like
    public_petition_or_404 (whose cached row says what the notice shows).

    Cached for a few seconds: the count itself only changes once per counter run,
    and a polled count.json must not cost a query per poll.
    """
    key = public_count_key(slug)
    figures = cache.get(key)
    if figures is None:
        # approved(), not with_public_address(): a petition waiting for its opening
        # time is cached too and refused below by the clock, so that it opens on time.
        figures = (
            Petition.objects.approved()
            .filter(slug=slug)
            .values("pk", "slug", "signature_count", "goal", "state", "counted_at",
                    "opens_at", "paused_at")
            .first()
        )
        if figures is None:
            return None
        # The latest signed statement of the public log, so a count can be checked.
        figures["statement"] = latest_reference(figures["pk"])
        paper = paper_figure(figures["pk"])
        figures["paper"] = paper.as_json() if paper else None
        cache.set(key, figures, settings.CHORUS_COUNT_CACHE_SECONDS)
    if figures["opens_at"] is not None and figures["opens_at"] > timezone.now():
        return None
    if figures["state"] == Petition.State.TAKEN_DOWN:
        # Raises; and if the petition was restored in between, these figures are right.
        public_petition_or_404(slug)
    return figures
