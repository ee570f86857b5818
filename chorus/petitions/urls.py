from django.urls import include, path

from chorus.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("petitions/", views.petition_list, name="list"),
    path("petitions/<slug:slug>/changes/", views.changes, name="changes"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
    path("organiser/petitions/", include("chorus.petitions.manage.urls")),
    path("organiser/petitions/", include("chorus.petitions.translations.urls")),
    path("organiser/petitions/", include("chorus.petitions.targets.urls")),
    path("", include("chorus.petitions.partners.urls")),
    path("organiser/petitions/", include("chorus.petitions.previews.urls")),
]
