"""RSS and Atom feeds of published stories: what a list shows, never a reader's reply."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from chorus.stories.selectors import published_stories

FEED_LENGTH = 20


class LatestStoriesFeed(Feed):
    description = _("The latest stories from the campaigns.")

    def title(self):
        return _("Stories · %(site)s") % {"site": settings.SITE_NAME}

    def link(self):
        return reverse("stories:list")

    def items(self):
        return published_stories()[:FEED_LENGTH]

    def item_title(self, story):
        return story.title

    def item_description(self, story):
        return story.standfirst

    def item_link(self, story):
        return story.get_absolute_url()

    def item_pubdate(self, story):
        return story.published_at

    def item_updateddate(self, story):
        return story.updated_at

    def item_author_name(self, story):
        return story.byline or None

    def item_categories(self, story):
        return [tag.name for tag in story.tags.all()]


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = Atom1Feed
    subtitle = LatestStoriesFeed.description
