"""How many signatures get confirmed: for a petition's organisers, never public.

A day or an e-mail domain where few signers confirm usually means the
confirmation e-mail did not arrive (a provider refusing our mail, a spam
folder), which is what organisers need to see. Only figures leave here: no
address, and no domain with fewer signers than CHORUS_COUNTRY_FLOOR, so a
handful of people behind a small domain cannot be picked out.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

FUNNEL_DAYS = 14
FUNNEL_DOMAINS = 10
_CONFIRMED = Q(confirmed_at__isnull=False)
_REMINDED = Q(reminders_sent__gt=0)
_UNDELIVERABLE = Q(confirmation_undeliverable_at__isnull=False)


@dataclass(frozen=True, kw_only=True)
class Confirmations:
    """Signatures made, how many of them the signers confirmed, and how many got a reminder.

    A signature counts as confirmed once its signer pressed the button, even if
    it was withdrawn or held afterwards: the question is whether the e-mail
    arrived.
    """

    made: int
    confirmed: int
    reminded: int = 0
    # Refused for good by the signer's mail server (a 5xx): no confirmation can arrive.
    undeliverable: int = 0

    @property
    def percent(self) -> int | None:
        """The confirmation rate, rounded down: 100 only when every one is confirmed."""
        return self.confirmed * 100 // self.made if self.made else None


@dataclass(frozen=True, kw_only=True)
class Day(Confirmations):
    day: datetime.date


@dataclass(frozen=True, kw_only=True)
class Domain(Confirmations):
    # "" for the group of domains below the floor, shown as "other domains".
    domain: str


@dataclass(frozen=True)
class Funnel:
    total: Confirmations
    days: list[Day]  # newest first
    domains: list[Domain]  # lowest confirmation rate first
    other_domains: Domain | None
    floor: int

    @property
    def other_domains_shown(self) -> bool:
        """The group's own figures are shown only when it, too, is not too small."""
        return self.other_domains is not None and self.other_domains.made >= self.floor


def confirmation_funnel(petition: Petition) -> Funnel:
    """Made, confirmed and the rate: in all, for each of the last days (UTC), and for
    the e-mail domains confirming least.

    Three GROUP BY queries however many signatures there are; invalidated
    signatures (fakes caught by the moderators) are left out. Cached for a
    minute per process, like the country totals.
    """
    key = f"confirmation-funnel:{petition.pk}"
    funnel = cache.get(key)
    if funnel is None:
        funnel = _funnel(petition)
        cache.set(key, funnel, settings.CHORUS_STATS_CACHE_SECONDS)
    return funnel


def _funnel(petition: Petition) -> Funnel:
    floor = settings.CHORUS_COUNTRY_FLOOR
    signatures = Signature.objects.filter(petition_id=petition.pk).exclude(
        state=Signature.State.INVALIDATED
    )
    # Erased and anonymised signatures have lost their domain: they count in
    # the totals but in no domain's row.
    known = ~Q(email_domain="")
    totals = signatures.aggregate(
        made=Count("id"), confirmed=Count("id", filter=_CONFIRMED),
        reminded=Count("id", filter=_REMINDED),
        undeliverable=Count("id", filter=_UNDELIVERABLE),
        known_made=Count("id", filter=known),
        known_confirmed=Count("id", filter=known & _CONFIRMED),
        known_undeliverable=Count("id", filter=known & _UNDELIVERABLE),
    )

    today = timezone.now().astimezone(datetime.UTC).date()
    first = today - datetime.timedelta(days=FUNNEL_DAYS - 1)
    if petition.opened_at is not None:
        first = max(first, petition.opened_at.astimezone(datetime.UTC).date())
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=datetime.UTC)
    by_day = {
        row["day"]: row for row in
        signatures.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=datetime.UTC))
        .values("day")
        .annotate(made=Count("id"), confirmed=Count("id", filter=_CONFIRMED),
                  reminded=Count("id", filter=_REMINDED))
        .order_by()
    }
    days = []
    day = today
    while day >= first:
        row = by_day.get(day, {"made": 0, "confirmed": 0, "reminded": 0})
        days.append(Day(made=row["made"], confirmed=row["confirmed"], reminded=row["reminded"],
                        day=day))
        day -= datetime.timedelta(days=1)

    # Only domains at or above the floor come back, so the rows stay few even
    # when every signer has a domain of their own.
    large = [
        Domain(made=row["made"], confirmed=row["confirmed"],
               undeliverable=row["undeliverable"], domain=row["email_domain"])
        for row in signatures.filter(known)
        .values("email_domain")
        .annotate(made=Count("id"), confirmed=Count("id", filter=_CONFIRMED),
                  undeliverable=Count("id", filter=_UNDELIVERABLE))
        .filter(made__gte=floor)
        .order_by()
    ]
    large.sort(key=lambda row: (row.confirmed / row.made, -row.made, row.domain))
    other = Domain(
        made=totals["known_made"] - sum(row.made for row in large),
        confirmed=totals["known_confirmed"] - sum(row.confirmed for row in large),
        undeliverable=totals["known_undeliverable"] - sum(row.undeliverable for row in large),
        domain="",
    )
    return Funnel(
        total=Confirmations(made=totals["made"], confirmed=totals["confirmed"],
                            reminded=totals["reminded"], undeliverable=totals["undeliverable"]),
        days=days,
        domains=large[:FUNNEL_DOMAINS],
        other_domains=other if other.made else None,
        floor=floor,
    )
