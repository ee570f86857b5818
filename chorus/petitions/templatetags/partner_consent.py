"""The partners' consent lines in the sign form (signatures/_sign_form.html)."""

from django import template

from chorus.petitions.partners.selectors import consent_lines

register = template.Library()


@register.inclusion_tag("petitions/partners/_consent_lines.html")
def partner_consent(petition, form) -> dict:
    """{% partner_consent petition form %}: a box per partner the form offers, unticked
    unless the signer ticked it before the form came back with an error."""
    ticked = form["partner_updates"].value() or []
    return {"lines": [(partner, partner.source in ticked)
                      for partner in consent_lines(petition, form["source"].value() or "")]}
