"""Staff sessions: a second factor for the back office, and an idle timeout."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from chorus.organisers.security.services import otp_device_for


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
    step = "verify" if otp_device_for(user) else "setup"
    view_name = f"organisers:security:{step}"
    query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(f"{reverse(view_name)}?{query}")
