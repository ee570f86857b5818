from django.urls import path

from chorus.signatures.transparency import views

app_name = "transparency"

urlpatterns = [
    path("petitions/<slug:slug>/log/", views.log, name="log"),
    path("petitions/<slug:slug>/log.json", views.log_json, name="log_json"),
    path("petitions/<slug:slug>/log/<int:seq>.json", views.statement, name="statement"),
    path("petitions/<slug:slug>/log/<int:seq>/leaves", views.leaves, name="leaves"),
    path("petitions/<slug:slug>/proof", views.proof, name="proof"),
    path(".well-known/chorus/signing-key", views.signing_key, name="key"),
]
