from django.urls import path

from bare import views

urlpatterns = [
    path("sign/", views.sign),
    path("thanks/", views.thanks),
    path("page/", views.page),
    path("petition/", views.petition),
    path("count.json", views.count),
]
