from django.urls import path

from chorus.petitions.targets import views

app_name = "targets"

urlpatterns = [
    path("<slug:slug>/targets/new/", views.add, name="add"),
    path("<slug:slug>/targets/<int:target_id>/edit/", views.edit, name="edit"),
    path("<slug:slug>/targets/<int:target_id>/move/", views.move, name="move"),
    path("<slug:slug>/targets/<int:target_id>/remove/", views.remove, name="remove"),
    path("<slug:slug>/targets/<int:target_id>/answer/", views.answer, name="answer"),
    path("<slug:slug>/hand-in/", views.handin, name="handin"),
]
