from django.urls import path

from chorus.signatures.proof_of_work import views

app_name = "proof_of_work"

urlpatterns = [
    # The proof-of-work widget's challenge (see chorus/signatures/proof_of_work/services.py).
    path("challenge/", views.challenge, name="challenge"),
]
