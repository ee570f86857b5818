"""The organiser pages of the API; the API itself (django-ninja) is mounted at /api/v1/."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("organiser/organisations/<slug:slug>/api-keys/", include("chorus.api.keys.urls")),
]
