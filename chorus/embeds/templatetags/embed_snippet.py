"""The embed code on organisers' pages: a partner's, carrying its source code, and a
preview link's (in petitions, which comes before embeds: a template tag, not an import)."""

from django import template

from chorus.embeds.views import snippet

register = template.Library()


@register.simple_tag
def embed_snippet(petition, source: str = "") -> str:
    """{% embed_snippet petition source %}: what a partner pastes into its pages."""
    return snippet(petition, source)


@register.simple_tag
def preview_embed_snippet(petition, token: str) -> str:
    return snippet(petition, preview_token=token)
