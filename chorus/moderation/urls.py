from django.urls import include, path

from chorus.moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("audit/", views.audit, name="audit"),
    path("petitions/<slug:slug>/", views.review, name="review"),
    path("petitions/<slug:slug>/approve/", views.approve, name="approve"),
    path("petitions/<slug:slug>/reject/", views.reject, name="reject"),
    path("petitions/<slug:slug>/send-back/", views.send_back, name="send_back"),
    path("petitions/<slug:slug>/take-down/", views.take_down, name="take_down"),
    path("petitions/<slug:slug>/restore/", views.restore, name="restore"),
    path("petitions/<slug:slug>/correct/", views.correct, name="correct"),
    path("petitions/<slug:slug>/response/", views.response, name="response"),
    path("held/", include("chorus.moderation.held.urls")),
    path("abuse/", include("chorus.moderation.abuse.urls")),
    path("replies/", include("chorus.moderation.replies.urls")),
]
