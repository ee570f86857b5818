from django.urls import path

from chorus.updates import views

app_name = "updates"

urlpatterns = [
    path("organiser/petitions/<slug:slug>/updates/new/", views.create, name="create"),
    path("organiser/petitions/<slug:slug>/updates/<int:pk>/mail/", views.mail, name="mail"),
    path("updates/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
