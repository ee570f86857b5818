from django.urls import path

from chorus.signatures.sealing import views

app_name = "sealing"

urlpatterns = [
    path("organiser/organisations/<slug:slug>/keys/", views.keys, name="keys"),
    path("organiser/organisations/<slug:slug>/keys/<int:pk>/rows.jsonl", views.reseal_bundle,
         name="reseal_bundle"),
    path("organiser/organisations/<slug:slug>/keys/<int:pk>/reseal/", views.reseal,
         name="reseal"),
]
