"""Middleware for the headers every page sends and for staff sessions."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

# Browser features no page of ours uses; a partner's page framing our embed
# cannot ask for them on our behalf either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "browsing-topics", "camera", "display-capture", "geolocation",
        "gyroscope", "interest-cohort", "magnetometer", "microphone", "payment", "usb",
    )
)


class SecurityHeadersMiddleware:
    """The headers Django's SecurityMiddleware does not send (see settings.py for the rest)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        return response


def _back_office_prefixes() -> tuple[str, ...]:
    prefixes = [reverse("admin:index")]
    try:
        prefixes.append(reverse("moderation:queue"))
    except NoReverseMatch:
        pass
    return tuple(prefixes)


class StaffSessionMiddleware:
    """Staff need a second factor for the back office, and their sessions end when idle.

    Goes after django_otp's OTPMiddleware. Requests without a session cookie
    (every signer's) pass straight through: the session is not even read, so
    public pages keep no "Vary: Cookie" and cost no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        if has_session and request.path.startswith(_back_office_prefixes()):
            user = request.user
            if user.is_authenticated and user.is_staff and not _is_verified(user):
                return _second_factor_page(request, user)
        response = self.get_response(request)
        if has_session or request.session.modified:  # modified: this request logged someone in
            user = request.user
            if user.is_authenticated and user.is_staff:
                # Saved with every staff request, so the expiry counts from the last one.
                request.session.set_expiry(settings.CHORUS_STAFF_IDLE_SECONDS)
        return response


def _is_verified(user) -> bool:
    return getattr(user, "otp_device", None) is not None


def _second_factor_page(request, user):
    from chorus.organisers.security.services import otp_device_for

    view_name = "security:verify" if otp_device_for(user) else "security:setup"
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(f"{reverse(view_name)}?{query}")
