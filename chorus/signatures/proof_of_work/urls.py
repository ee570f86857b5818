from django.urls import path

from chorus.signatures import views

app_name = "challenge"

urlpatterns = [
    # The proof-of-work widget's challenge (see chorus/signatures/proof_of_work/services.py).
    path("challenge/", views.challenge, name="new"),
]
