""""Of which N on paper" under a petition's count.

The petition page and the history page are templates of petitions, which
comes before signatures and cannot import its selectors: they load this tag.
"""

from django import template

from chorus.signatures.counting.selectors import paper_figure

register = template.Library()


@register.inclusion_tag("signatures/counting/_paper_count.html")
def paper_count(petition) -> dict:
    """{% paper_count petition %}: nothing if no paper signature is counted."""
    return {"paper": paper_figure(petition.pk)}
