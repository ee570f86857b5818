from django.urls import path

from chorus.stories.replies import views

app_name = "replies"

urlpatterns = [
    path("stories/<slug:slug>/replies/", views.create, name="create"),
    # A form posted without the slash would be redirected and lost.
    path("stories/<slug:slug>/replies", views.create),
]
