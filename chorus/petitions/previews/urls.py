from django.urls import path

from chorus.petitions.previews import views

app_name = "previews"

urlpatterns = [
    path("<slug:slug>/previews/", views.preview_list, name="list"),
    path("<slug:slug>/previews/<int:pk>/revoke/", views.preview_revoke, name="revoke"),
]
