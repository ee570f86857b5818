from django.urls import path

from chorus.moderation import views
from chorus.moderation.replies import views as reply_views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("audit/", views.audit, name="audit"),
    path("petitions/<slug:slug>/", views.review, name="review"),
    path("petitions/<slug:slug>/approve/", views.approve, name="approve"),
    path("petitions/<slug:slug>/reject/", views.reject, name="reject"),
    path("petitions/<slug:slug>/send-back/", views.send_back, name="send_back"),
    path("petitions/<slug:slug>/correct/", views.correct, name="correct"),
    path("petitions/<slug:slug>/response/", views.response, name="response"),
    path("replies/", reply_views.replies, name="replies"),
    path("replies/decide/", reply_views.replies_bulk, name="replies_bulk"),
    path("replies/<int:pk>/decide/", reply_views.reply_decide, name="reply_decide"),
    path("replies/stories/<slug:slug>/", reply_views.story_replies, name="story_replies"),
]
