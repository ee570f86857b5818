"""The organiser pages of the API; the API itself (django-ninja) is mounted at /api/v1/."""

from django.urls import include, path

from chorus.api.views import reference

app_name = "api"

urlpatterns = [
    path("api/v1/docs", reference, name="docs"),
    path("organiser/organisations/<slug:slug>/api-keys/", include("chorus.api.keys.urls")),
]
