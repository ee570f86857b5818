"""Whether a petition's delivery document is made on request, for the organiser's pages.

The petition page belongs to petitions, which cannot import the exports'
services; its exports panel loads this instead.
"""

from django import template

from chorus.signatures.exports.delivery.services import delivery_is_direct

register = template.Library()


@register.filter
def delivery_direct(petition) -> bool:
    """{{ petition|delivery_direct }}: small enough to be made inside the request."""
    return delivery_is_direct(petition)
