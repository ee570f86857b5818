from django.urls import path

from chorus.moderation.replies import views

app_name = "replies"

urlpatterns = [
    path("", views.replies, name="queue"),
    path("decide/", views.replies_bulk, name="bulk"),
    path("<int:pk>/decide/", views.reply_decide, name="decide"),
    path("stories/<slug:slug>/", views.story_replies, name="story"),
]
