from django.urls import path

from chorus.petitions.partners import views

app_name = "partners"

P = "organiser/petitions/<slug:slug>/partners/"

urlpatterns = [
    path(P, views.partners, name="list"),
    path(P + "invite/", views.invite, name="invite"),
    path(P + "consent/", views.consent, name="consent"),
    path(P + "invitations/<int:pk>/revoke/", views.revoke, name="revoke"),
    path(P + "<int:pk>/", views.detail, name="detail"),
    path(P + "<int:pk>/remove/", views.remove, name="remove"),
    path("organiser/partner-invitations/<str:token>/", views.accept, name="accept"),
]
