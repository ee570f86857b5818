"""The embed code on an organiser's page: a partner's, carrying its source code."""

from django import template

from chorus.embeds.views import snippet

register = template.Library()


@register.simple_tag
def embed_snippet(petition, source: str = "") -> str:
    """{% embed_snippet petition source %}: what a partner pastes into its pages."""
    return snippet(petition, source)
