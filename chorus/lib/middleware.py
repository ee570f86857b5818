"""Middleware for the headers every page sends, and for answering while the database is down."""

import re
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string
from django.utils.translation import get_language_from_request
from whitenoise.middleware import WhiteNoiseFileResponse

from chorus.lib.database import connections_reset, is_unreachable, outage_log, retry_later
from chorus.lib.http import PUBLIC_DATA

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


class CacheHeadersMiddleware:
    """Cache-Control and Vary for every response, so that any shared cache in front (nginx's
    micro-cache, which ignores Set-Cookie; a CDN) keeps exactly what is the same for everyone.

    The one rule: a response leaves public only if its view said so (lib.http's public_page
    or public_data, or its own `Cache-Control: public`) and nothing about it is personal:
    a GET or HEAD without a session or an API key, that sets no cookie (a CSRF token in a
    page always comes with its cookie), answered below 500 and not 429. Everything else
    leaves with Django's never-cache headers ("private, no-store"): a signer's own pages,
    organisers' and moderators' pages, the admin, every POST, the 503 page, and any new
    page until its view says it is public.

    A public page in the reader's language (LocaleMiddleware's `Vary: Accept-Language`)
    varies on Cookie too: the language cookie chooses the language as well, and a logged-in
    organiser sees another header. A public_data answer holds no language: its success varies
    on neither, so a thousand readers' languages do not make a thousand copies (`Vary: Host`
    stays, lib/hosts.py).

    First in settings.MIDDLEWARE, so that it sees every response, the 503 page and static
    files included.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if isinstance(response, WhiteNoiseFileResponse):
            # A static file is the same for everyone, logged in or not, and WhiteNoise gives
            # it its own lifetime (for ever, for a name with its hash in it).
            return response
        if not self._may_be_public(request, response):
            # Whatever the view said: "no-store" alone, or "public, immutable" on a response
            # that turned out to set a cookie, is replaced, not merged.
            del response.headers["Cache-Control"]
            add_never_cache_headers(response)
            return response
        if "Cache-Control" not in response.headers:
            patch_cache_control(response, public=True, max_age=settings.CHORUS_PUBLIC_MAX_AGE)
        language_free = getattr(request, "public_answer", None) == PUBLIC_DATA
        if language_free and (response.status_code < 300 or response.status_code == 304):
            # Only its success: its 404 page or taken-down notice is in the reader's language.
            _drop_vary(response, {"accept-language", "cookie"})
        elif "accept-language" in _vary(response):
            patch_vary_headers(response, ["Cookie"])
        _compress_public(request, response)
        if (not response.streaming and response.status_code != 304
                and not response.has_header("Content-Length")):
            # As CommonMiddleware does, which the anonymous path leaves out (settings.py):
            # a cache then keeps and sends a body of known length, not a chunked one.
            response.headers["Content-Length"] = str(len(response.content))
        return response

    @staticmethod
    def _may_be_public(request, response) -> bool:
        if _is_personal(request) or response.cookies:
            return False
        if response.status_code >= 500 or response.status_code == 429:
            return False  # an outage, or one client's limit: neither is everyone's answer
        if said := _cache_control(response):
            return "public" in said  # the view's own word, either way
        return getattr(request, "public_answer", None) is not None


def _is_personal(request) -> bool:
    """A request whose answer may be about who sent it: a session (a logged-in organiser),
    an API key, or anything but a read. The session is not read: its cookie is enough."""
    return (
        request.method not in ("GET", "HEAD")
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "Authorization" in request.headers
    )


# Django's own test for a client that takes gzip (GZipMiddleware's).
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _compress_public(request, response) -> None:
    """A public answer gzipped for a client that takes it: every browser says so.

    A petition page is 22 KB and about a fifth of that compressed; nginx's micro-cache
    keeps the compressed copy, so a flood of readers costs the link a fifth and nginx no
    compression at all. Only public answers: they hold nothing secret for a compression
    side channel (BREACH) to find, and compressing them costs one compression per page per
    cache lifetime. Like Django's GZipMiddleware otherwise (Vary, weak ETag, nothing that
    would not shrink), without its random padding, which only a secret would need.
    """
    if (response.streaming or response.has_header("Content-Encoding")
            or len(response.content) < 200):
        return
    patch_vary_headers(response, ["Accept-Encoding"])
    if not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        return
    compressed = compress_string(response.content)
    if len(compressed) >= len(response.content):
        return
    response.content = compressed
    response.headers["Content-Length"] = str(len(compressed))
    response.headers["Content-Encoding"] = "gzip"
    if (etag := response.get("ETag")) and etag.startswith('"'):
        response.headers["ETag"] = "W/" + etag


def _cache_control(response) -> set[str]:
    return {
        directive.split("=")[0].strip().lower()
        for directive in response.headers.get("Cache-Control", "").split(",")
        if directive.strip()
    }


def _vary(response) -> set[str]:
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",")}


def _drop_vary(response, names: set[str]) -> None:
    kept = [name.strip() for name in response.headers.get("Vary", "").split(",")
            if name.strip() and name.strip().lower() not in names]
    if kept:
        response.headers["Vary"] = ", ".join(kept)
    else:
        del response.headers["Vary"]


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
