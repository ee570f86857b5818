from django.urls import path

from chorus.signatures.counting import views

app_name = "counting"

urlpatterns = [
    path("petitions/<slug:slug>/count.json", views.count_json, name="count_json"),
    path("petitions/<slug:slug>/history/", views.history, name="history"),
    path("petitions/<slug:slug>/history.json", views.history_json, name="history_json"),
    path("petitions/<slug:slug>/countries.json", views.countries_json, name="countries_json"),
    path("petitions/<slug:slug>/map.png", views.map_png, name="map_png"),
]
