from django.urls import path

from chorus.moderation.held import views as held_views

app_name = "held"

urlpatterns = [
    path("", held_views.held_list, name="list"),
    path("decide/", held_views.held_decide, name="decide"),
]
