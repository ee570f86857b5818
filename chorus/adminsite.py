"""The admin, behind our own (throttled) login and the staff second factor."""

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class ChorusAdminSite(AdminSite):
    def has_permission(self, request) -> bool:
        # chorus.organisers.security.middleware sends unverified staff to the code page before
        # they get here; this holds even if that middleware were left out.
        verified = getattr(request.user, "otp_device", None) is not None
        return super().has_permission(request) and verified

    def login(self, request, extra_context=None):
        # The admin's own login form would bypass the throttling of ours.
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        if not request.user.is_authenticated:
            view_name = "organisers:login"
        elif request.user.is_staff:
            view_name = "organisers:security:verify"
        else:
            raise PermissionDenied
        return redirect(f"{reverse(view_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


class ChorusAdminConfig(AdminConfig):
    default_site = "chorus.adminsite.ChorusAdminSite"
