from django.urls import path

from chorus.petitions import views

app_name = "petitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("petitions/", views.petition_list, name="list"),
    path("petitions/<slug:slug>/", views.petition_detail, name="detail"),
    path("petitions/<slug:slug>/count.json", views.count_json, name="count_json"),
    path("petitions/<slug:slug>/history/", views.history, name="history"),
    path("petitions/<slug:slug>/changes/", views.changes, name="changes"),
    path("petitions/<slug:slug>/history.json", views.history_json, name="history_json"),
    path("petitions/<slug:slug>/countries.json", views.countries_json, name="countries_json"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation"),
]
