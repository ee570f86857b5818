from django.urls import path

from chorus.petitions.manage import views

app_name = "manage"

urlpatterns = [
    # Before "<slug>/": no petition may be called "new" (see services.RESERVED_SLUGS).
    path("new/", views.create, name="create"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/close/", views.close, name="close"),
    path("<slug:slug>/victory/", views.victory, name="victory"),
    path("<slug:slug>/opening/", views.opening, name="opening"),
    path("<slug:slug>/pause/", views.pause, name="pause"),
    path("<slug:slug>/resume/", views.resume, name="resume"),
]
