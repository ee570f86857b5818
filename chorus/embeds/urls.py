from django.urls import path

from chorus.embeds import views

app_name = "embeds"

urlpatterns = [
    path("petitions/<slug:slug>/embed/", views.embed, name="embed"),
    path("petitions/<slug:slug>/embed/preview/<str:token>/", views.preview, name="preview"),
    path("petitions/<slug:slug>/embed/sign/", views.sign, name="sign"),
    path("petitions/<slug:slug>/embed/thanks/", views.thanks, name="thanks"),
    path("petitions/<slug:slug>/badge.svg", views.badge, name="badge"),
    path("petitions/<slug:slug>/share/", views.share, name="share"),
    path("oembed/", views.oembed, name="oembed"),
]
