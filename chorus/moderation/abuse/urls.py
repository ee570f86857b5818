from django.urls import path

from chorus.moderation.abuse import views

app_name = "abuse"

urlpatterns = [
    path("", views.flags, name="flags"),
    path("flags/<int:pk>/dismiss/", views.flag_dismiss, name="flag_dismiss"),
    path("flags/<int:pk>/block/", views.flag_block, name="flag_block"),
    path("invalidate/", views.bulk, name="bulk"),
    path("invalidations/", views.batches, name="batches"),
    path("invalidations/<int:pk>/undo/", views.undo, name="undo"),
]
