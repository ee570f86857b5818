"""The replies under a story, for the story page that includes stories/replies/_section.html.

Template tags rather than view context: the story page belongs to the stories
views, and the section needs nothing from them but the story.
"""

from django import template

from chorus.stories.models import Reply, Story
from chorus.stories.replies import selectors as reply_selectors
from chorus.stories.replies.forms import ReplyForm

register = template.Library()


@register.simple_tag
def reply_thread(story: Story) -> reply_selectors.Thread:
    return reply_selectors.reply_thread(story)


@register.simple_tag
def reply_form(story: Story, parent: Reply | None = None) -> ReplyForm:
    """A blank form; each answer form gets its own ids, as many share one page."""
    if parent is None:
        return ReplyForm(story=story, auto_id="reply-%s")
    return ReplyForm(story=story, auto_id=f"answer-{parent.pk}-%s",
                     initial={"parent": parent.pk})


@register.simple_tag
def pending_reply_count() -> int:
    return reply_selectors.pending_reply_count()
