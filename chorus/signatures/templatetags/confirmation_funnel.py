"""The confirmation funnel on the organiser's petition page.

That page belongs to petitions, which comes before signatures and so cannot
import its selectors; the page loads this tag instead, as it includes the
exports panel.
"""

from django import template

from chorus.signatures.counting.funnel import confirmation_funnel as funnel_for

register = template.Library()


@register.inclusion_tag("signatures/counting/_funnel.html")
def confirmation_funnel(petition) -> dict:
    """{% confirmation_funnel petition %}, on a page only the petition's organisation sees."""
    # A petition that never opened has had no signers to confirm.
    return {"funnel": funnel_for(petition) if petition.opened_at else None}
