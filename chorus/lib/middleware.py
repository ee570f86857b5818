"""Middleware for the headers every page sends, and for answering while the database is down."""

import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language_from_request

from chorus.lib.database import connections_reset, is_unreachable, outage_log, retry_later

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


def _note_unreachable(sender, request=None, **kwargs):
    # Django turns an exception raised inside a middleware into a 500 response before
    # the middleware around it sees anything; this signal is the moment it still knows why.
    if request is not None and is_unreachable(sys.exception()):
        request.database_unreachable = sys.exception()


class DatabaseUnavailableMiddleware:
    """A polite 503 instead of a 500 while the database cannot be reached.

    It stands outside the session, authentication and staff-session middleware
    (see settings.MIDDLEWARE), so it also answers for their queries; a view's
    error reaches process_exception. The page it renders runs no context
    processor and shows no user menu: neither may touch the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_note_unreachable, dispatch_uid="chorus-database-unreachable")

    def __call__(self, request):
        response = self.get_response(request)
        error = getattr(request, "database_unreachable", None)
        if error is not None and response.status_code == 500:
            return database_unavailable_page(request, error)
        return response

    def process_exception(self, request, exception):
        if is_unreachable(exception):
            return database_unavailable_page(request, exception)
        return None


def database_unavailable_page(request, error: BaseException) -> HttpResponse:
    """templates/503.html, in the reader's language, with Retry-After."""
    connections_reset()
    match = getattr(request, "resolver_match", None)
    outage_log(error, f"{request.method} {match.view_name if match else 'a request'}")
    language = getattr(request, "LANGUAGE_CODE", None) or get_language_from_request(request)
    with translation.override(language):
        content = render_to_string(
            "503.html", {"request": request, "SITE_NAME": settings.SITE_NAME}
        )
    return retry_later(HttpResponse(content))
