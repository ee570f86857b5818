from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from chorus.lib.http import require_post
from chorus.organisers import views
from chorus.organisers.forms import LoginForm, ResetForm

app_name = "organisers"

T = "organisers/"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/done/", views.signup_done, name="signup_done"),
    path("accounts/verify/<str:token>/", views.verify, name="verify"),
    path("accounts/login/", auth_views.LoginView.as_view(
        template_name=T + "login.html", authentication_form=LoginForm,
        redirect_authenticated_user=True,
    ), name="login"),
    # Logging out changes state, so it is a form, never a link a page could embed.
    path("accounts/logout/", require_post(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        template_name=T + "password_reset_form.html", form_class=ResetForm,
        success_url=reverse_lazy("organisers:password_reset_done"),
    ), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name=T + "password_reset_done.html",
    ), name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name=T + "password_reset_confirm.html",
        success_url=reverse_lazy("organisers:password_reset_complete"),
    ), name="password_reset_confirm"),
    path("accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name=T + "password_reset_complete.html",
    ), name="password_reset_complete"),
    path("accounts/invitation/<str:token>/", views.invitation, name="invitation"),
    path("accounts/security/", include("chorus.organisers.security.urls")),
    path("organiser/organisations/new/", views.organisation_create, name="organisation_create"),
    path("organiser/organisations/<slug:slug>/members/", views.members, name="members"),
    path("organiser/organisations/<slug:slug>/members/invite/", views.member_invite,
         name="member_invite"),
    path("organiser/organisations/<slug:slug>/members/<int:pk>/role/", views.member_role,
         name="member_role"),
    path("organiser/organisations/<slug:slug>/members/<int:pk>/remove/", views.member_remove,
         name="member_remove"),
    path("organiser/organisations/<slug:slug>/invitations/<int:pk>/revoke/",
         views.invitation_revoke, name="invitation_revoke"),
]
