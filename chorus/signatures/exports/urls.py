from django.urls import path

from chorus.signatures.exports import views

app_name = "exports"

urlpatterns = [
    path("organiser/petitions/<slug:slug>/signatures.csv", views.signatures_csv, name="csv"),
    path("organiser/petitions/<slug:slug>/delivery.pdf", views.delivery, name="delivery"),
    path("organiser/petitions/<slug:slug>/delivery/", views.delivery_page, name="delivery_page"),
    path("organiser/petitions/<slug:slug>/purge/", views.purge, name="purge"),
    path("organiser/petitions/<slug:slug>/partners/<int:pk>/signers.csv", views.partner_csv,
         name="partner_csv"),
]
