from django import template

register = template.Library()


@register.filter
def allows(membership, role: str) -> bool:
    """`membership|allows:"editor"`: whether a member may act with that role."""
    return membership is not None and membership.allows(role)


@register.simple_tag
def updates_with_mailings(petition):
    """A petition's updates, newest first, each with its mailing in the same query."""
    return petition.updates.select_related("mailing")
