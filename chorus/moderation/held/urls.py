from django.urls import path

from chorus.moderation.held import views

app_name = "held"

urlpatterns = [
    path("", views.held_list, name="list"),
    path("decide/", views.held_decide, name="decide"),
]
