"""A partner's tally on the partners' pages, which belong to petitions (before signatures)."""

from django import template

from chorus.signatures.counting.partners import PartnerTally, partner_tallies

register = template.Library()


@register.simple_tag
def partner_tally(partner) -> PartnerTally:
    """{% partner_tally partner as tally %}, on pages only the petition's organisation and
    the partner's own members see."""
    return partner_tallies([partner.pk])[partner.pk]
