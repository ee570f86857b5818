from django.urls import path

from chorus.petitions.translations import views

app_name = "translations"

urlpatterns = [
    path("<slug:slug>/translations/<str:language>/", views.translation, name="edit"),
    path("<slug:slug>/translations/<str:language>/delete/", views.translation_delete,
         name="delete"),
]
