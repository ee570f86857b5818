from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import QueryDict
from django.shortcuts import render


def require_post(view):
    """Like Django's require_POST, but answers with a page that says why."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "POST":
            response = render(request, "405.html", status=405)
            response["Allow"] = "POST"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def form_data(request) -> QueryDict:
    """The submitted form, with undecodable bytes as U+FFFD.

    For a body that is not valid UTF-8, Django falls back to reading it as
    Latin-1, which turns a stray byte into a plausible letter ("ÿ"); the
    replacement character lets the form refuse it instead.
    """
    data = request.POST  # first, so that Django refuses what it cannot read at all
    if request.content_type == "application/x-www-form-urlencoded":
        try:
            request.body.decode()
        except UnicodeDecodeError:
            return QueryDict(request.body.decode(errors="replace"))
    return data


def client_ip(request) -> str:
    # X-Forwarded-For is not trusted here: only the direct peer's address.
    return request.META.get("REMOTE_ADDR", "")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cross_site(request) -> bool:
    """True if a browser says this request was sent by a page of another site.

    Browsers send Origin with every POST, and Sec-Fetch-Site where they can;
    neither can be set by the page. This guards forms that must work without
    cookies (a signer's first visit, or inside a partner's iframe), where
    Django's cookie-based CSRF check cannot.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # not a browser form post: nothing to forge
    allowed = {_origin(settings.SITE_URL), _origin(request.build_absolute_uri("/"))}
    allowed.update(_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS)
    return origin.lower() not in allowed
