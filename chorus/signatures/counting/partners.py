"""Each partner's tally, for its own members and the petition's organisation: how many
signed through its link, how many confirmed, how many asked to hear from it. Figures
only, never who."""

from dataclasses import dataclass

from django.db.models import Count

from chorus.signatures.models import Signature

# Signatures that are, or may still become, part of the count.
_SIGNED = (Signature.State.PENDING, Signature.State.HELD, Signature.State.CONFIRMED)


@dataclass
class PartnerTally:
    signed: int = 0
    confirmed: int = 0
    # Opt-ins of confirmed signers: what the partner's export holds.
    opt_ins: int = 0


def partner_tallies(partner_ids) -> dict[int, PartnerTally]:
    """The tallies of these partners, in two grouped queries however many there are."""
    tallies = {partner_id: PartnerTally() for partner_id in partner_ids}
    by_state = (
        Signature.objects.filter(partner_id__in=list(tallies), state__in=_SIGNED)
        .values_list("partner_id", "state").annotate(n=Count("id")).order_by()
    )
    for partner_id, state, n in by_state:
        tallies[partner_id].signed += n
        if state == Signature.State.CONFIRMED:
            tallies[partner_id].confirmed += n
    opt_ins = (
        Signature.partner_opt_ins.through.objects
        .filter(partner_id__in=list(tallies), signature__state=Signature.State.CONFIRMED)
        .values_list("partner_id").annotate(n=Count("id")).order_by()
    )
    for partner_id, n in opt_ins:
        tallies[partner_id].opt_ins = n
    return tallies
