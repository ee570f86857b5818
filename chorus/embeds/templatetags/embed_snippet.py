"""The embed code for a preview link, on the organisers' preview-links page (in petitions,
which comes before embeds: a template tag, not an import)."""

from django import template

from chorus.embeds.views import snippet

register = template.Library()


@register.simple_tag
def preview_embed_snippet(petition, token: str) -> str:
    return snippet(petition, preview_token=token)
