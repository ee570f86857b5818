from django.urls import path

from chorus.organisers import exports

app_name = "exports"

urlpatterns = [
    path("petitions/<slug:slug>/signatures.csv", exports.signatures_csv, name="csv"),
    path("petitions/<slug:slug>/delivery.pdf", exports.delivery, name="delivery"),
    path("petitions/<slug:slug>/purge/", exports.purge, name="purge"),
    path("organisations/<slug:slug>/api-keys/", exports.api_keys, name="api_keys"),
    path("organisations/<slug:slug>/api-keys/<int:pk>/revoke/", exports.api_key_revoke_view,
         name="api_key_revoke"),
]
