from django.urls import include, path

from chorus.signatures import views

app_name = "signatures"

urlpatterns = [
    path("petitions/<slug:slug>/", views.petition, name="petition"),
    path("petitions/<slug:slug>/preview/<str:token>/", views.preview, name="preview"),
    path("petitions/<slug:slug>/sign/", views.sign, name="sign"),
    # A form posted without the slash would be redirected and lost.
    path("petitions/<slug:slug>/sign", views.sign),
    path("petitions/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("forget/", views.forget, name="forget"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("confirm/<str:token>/resend/", views.confirm_resend, name="confirm_resend"),
    path("signature/<str:token>/", views.manage, name="manage"),
    path("signature/<str:token>/my-signature.json", views.manage_data, name="manage_data"),
    path("signature/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    path("signature/<str:token>/erase/", views.erase, name="erase"),
    path("signature/<str:token>/receipt/", views.receipt_email, name="receipt_email"),
    path("", include("chorus.signatures.counting.urls")),
    path("", include("chorus.signatures.proof_of_work.urls")),
    path("", include("chorus.signatures.exports.urls")),
    path("", include("chorus.signatures.transparency.urls")),
    path("", include("chorus.signatures.sealing.urls")),
    path("", include("chorus.signatures.paper.urls")),
]
