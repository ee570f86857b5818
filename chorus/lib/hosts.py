"""The hosts one Chorus answers on: its main domain, an .onion address, mirror domains.

CHORUS_SITE_HOSTS lists them (origins, or bare host names: https, or http for
an .onion). Each request is answered in terms of the configured host it came
on: its pages, embeds and e-mails link there, so a signer on the onion address
is never sent to the clearnet one, and a mirror's readers stay on the mirror.
A Host header that is not configured is refused (ALLOWED_HOSTS includes every
configured host and nothing else is added).
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.security import SecurityMiddleware
from django.utils.cache import patch_vary_headers

ONION_SUFFIX = ".onion"

_request_host: ContextVar[str] = ContextVar("chorus_request_host", default="")


def origin_of(entry: str) -> str:
    """`https://example.org` for "example.org"; an onion address is plain http (Tor
    encrypts and authenticates it end to end, and no CA signs .onion names)."""
    entry = entry.strip().rstrip("/")
    if "://" not in entry:
        scheme = "http" if entry.lower().endswith(ONION_SUFFIX) else "https"
        entry = f"{scheme}://{entry}"
    parts = urlsplit(entry)
    return f"{parts.scheme}://{parts.netloc}".lower()


def host_of(origin: str) -> str:
    return urlsplit(origin).netloc.lower()


@cache
def _origins() -> dict[str, str]:
    """Host → origin, the main site (SITE_URL) first."""
    origins = [origin_of(settings.SITE_URL), *map(origin_of, settings.CHORUS_SITE_HOSTS)]
    return {host_of(origin): origin for origin in origins}


@receiver(setting_changed)
def _forget_hosts(*, setting, **kwargs):
    if setting in ("SITE_URL", "CHORUS_SITE_HOSTS"):
        _origins.cache_clear()


def configured_hosts() -> list[str]:
    return list(_origins())


def is_onion(host: str) -> bool:
    return host.split(":")[0].endswith(ONION_SUFFIX)


def onion_origin() -> str:
    """The configured onion address, "" if there is none."""
    return next((origin for host, origin in _origins().items() if is_onion(host)), "")


def origin_for(host: str) -> str:
    """The origin links should use for a visitor who came on `host`: that host if it is
    configured, the main site (SITE_URL) otherwise."""
    return _origins().get((host or "").lower(), settings.SITE_URL)


def current_host() -> str:
    """The configured host the request being answered came on; "" outside a request or
    for a host that is allowed but not one of the site's (a health check on localhost)."""
    return _request_host.get()


def site_url() -> str:
    """Where this request's absolute links point: its own configured host, else SITE_URL."""
    return origin_for(current_host())


@contextmanager
def answering_on(host: str):
    """Within it, current_host() is `host` if it is one of the site's hosts, else ""."""
    token = _request_host.set(host if host in _origins() else "")
    try:
        yield
    finally:
        _request_host.reset(token)


class SiteSecurityMiddleware(SecurityMiddleware):
    """Django's SecurityMiddleware, right for each configured host.

    On the onion host: no redirect to HTTPS (there is none), no HSTS (it would
    mean nothing over http and could only break), and cookies without the
    Secure flag, which a browser would drop over http (the onion is
    end-to-end encrypted all the same, and its cookies are its own). On every
    other host, when an onion host is configured, pages say where it is with
    `Onion-Location`, which Tor Browser offers to follow.
    """

    def __call__(self, request):
        host = request.get_host().lower()  # refuses a host not in ALLOWED_HOSTS, as ever
        with answering_on(host):
            return super().__call__(request)

    def process_request(self, request):
        if is_onion(request.get_host()):
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if is_onion(request.get_host()):
            del response.headers["Strict-Transport-Security"]
            for cookie in response.cookies.values():
                cookie["secure"] = ""
        elif (onion := onion_origin()) and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            response.headers["Onion-Location"] = onion + request.get_full_path()
        if len(_origins()) > 1:
            # A cached page names the host it was made for.
            patch_vary_headers(response, ["Host"])
        return response
