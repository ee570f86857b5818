from django.urls import path

from chorus.organisers.security import views as security_views

app_name = "security"

urlpatterns = [
    path("verify/", security_views.verify, name="verify"),
    path("setup/", security_views.setup, name="setup"),
]
