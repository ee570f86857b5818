from django import template

from chorus.lib.translations import translated
from chorus.stories.selectors import published_stories

register = template.Library()


@register.inclusion_tag("stories/_recent.html")
def recent_stories(count: int = 3):
    """The latest published stories, for pages whose views know nothing of stories."""
    stories = published_stories()[:count]
    return {"stories": [translated(s, translations=s.translations.all()) for s in stories]}
