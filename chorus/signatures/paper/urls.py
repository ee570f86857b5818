from django.urls import path

from chorus.signatures.paper import views

app_name = "paper"

_BATCH = "organiser/petitions/<slug:slug>/paper/<str:code>/"

urlpatterns = [
    path("organiser/petitions/<slug:slug>/paper/", views.batches, name="batches"),
    path("organiser/petitions/<slug:slug>/paper/new/", views.batch_create, name="create"),
    path("organiser/petitions/<slug:slug>/paper/anomalies/", views.anomalies, name="anomalies"),
    path("organiser/petitions/<slug:slug>/paper/template.csv", views.csv_template,
         name="csv_template"),
    path(_BATCH, views.batch, name="batch"),
    path(_BATCH + "sheet.pdf", views.sheet, name="sheet"),
    path(_BATCH + "entry/<int:number>/", views.entry, name="entry"),
    path(_BATCH + "import/", views.import_csv, name="import"),
    path(_BATCH + "compare/", views.compare, name="compare"),
    path(_BATCH + "send-back/", views.send_back, name="send_back"),
]
