from django.urls import path

from chorus.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("organiser/", views.dashboard, name="home"),
]
