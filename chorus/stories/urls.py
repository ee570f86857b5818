from django.urls import include, path

from chorus.lib.http import public_page
from chorus.stories import feeds, views

app_name = "stories"

urlpatterns = [
    path("organiser/stories/", views.manage_list, name="manage_list"),
    path("organiser/stories/new/", views.create, name="create"),
    path("organiser/stories/<slug:slug>/edit/", views.edit, name="edit"),
    path("organiser/stories/<slug:slug>/publish/", views.publish, name="publish"),
    path("organiser/stories/<slug:slug>/unpublish/", views.unpublish, name="unpublish"),
    path("organiser/stories/<slug:slug>/translations/<str:language>/", views.translation,
         name="translation"),
    path("stories/", views.story_list, name="list"),
    # Before "stories/<slug>/", though a story called "feed" or "tags" would not clash.
    path("stories/feed/rss/", public_page(feeds.LatestStoriesFeed()), name="feed_rss"),
    path("stories/feed/atom/", public_page(feeds.LatestStoriesAtomFeed()), name="feed_atom"),
    # Tag slugs may be in any script ("суд"), which the slug converter refuses.
    path("stories/tags/<str:slug>/", views.tag, name="tag"),
    path("stories/<slug:slug>/", views.story_detail, name="detail"),
    path("", include("chorus.stories.replies.urls")),
]
