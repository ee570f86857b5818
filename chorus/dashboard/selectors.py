"""What the organiser dashboard shows, read in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from chorus.organisers.models import Membership, Organisation, Role
from chorus.petitions.models import Milestone, Partner, Petition
from chorus.signatures.counting.partners import PartnerTally, partner_tallies
from chorus.signatures.models import Signature


@dataclass
class PetitionRow:
    petition: Petition
    today: int = 0
    milestones: list[Milestone] = field(default_factory=list)


@dataclass
class PartnerRow:
    """A petition the organisation is a partner on, with its own tally only."""

    partner: Partner
    tally: PartnerTally


@dataclass
class OrganisationPanel:
    organisation: Organisation
    membership: Membership
    petitions: list[PetitionRow] = field(default_factory=list)
    partnerships: list[PartnerRow] = field(default_factory=list)

    @property
    def can_write(self) -> bool:
        return self.membership.allows(Role.EDITOR)

    @property
    def can_manage(self) -> bool:
        return self.membership.allows(Role.OWNER)


def start_of_today() -> datetime.datetime:
    """Midnight UTC: "today" is the same day for organisers in every time zone."""
    now = timezone.now().astimezone(datetime.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard_for(user) -> list[OrganisationPanel]:
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    panels = {m.organisation_id: OrganisationPanel(m.organisation, m) for m in memberships}
    petitions = Petition.objects.filter(organisation__in=list(panels)).order_by(
        "organisation__name", "-created_at"
    )
    rows = {petition.pk: PetitionRow(petition) for petition in petitions}
    # One grouped count for all the petitions, not one query each.
    today = (
        Signature.objects.filter(
            petition__in=list(rows), state=Signature.State.CONFIRMED,
            confirmed_at__gte=start_of_today(),
        )
        .values("petition").annotate(n=Count("id")).values_list("petition", "n")
    )
    for petition_id, n in today:
        rows[petition_id].today = n
    for milestone in Milestone.objects.filter(petition__in=list(rows)).order_by("threshold"):
        rows[milestone.petition_id].milestones.append(milestone)
    for row in rows.values():
        panels[row.petition.organisation_id].petitions.append(row)
    partners = list(Partner.objects.active().filter(organisation__in=list(panels))
                    .select_related("petition__organisation").order_by("petition__title"))
    tallies = partner_tallies([partner.pk for partner in partners])
    for partner in partners:
        panels[partner.organisation_id].partnerships.append(
            PartnerRow(partner, tallies[partner.pk]))
    return list(panels.values())
