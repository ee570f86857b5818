from django.urls import path

from chorus.moderation.abuse import views as abuse_views

app_name = "abuse"

urlpatterns = [
    path("", abuse_views.flags, name="flags"),
    path("flags/<int:pk>/dismiss/", abuse_views.flag_dismiss, name="flag_dismiss"),
    path("flags/<int:pk>/block/", abuse_views.flag_block, name="flag_block"),
    path("invalidate/", abuse_views.bulk, name="bulk"),
    path("invalidations/", abuse_views.batches, name="batches"),
    path("invalidations/<int:pk>/undo/", abuse_views.undo, name="undo"),
]
