import hashlib
import json
from collections.abc import Callable
from functools import cache as memoise
from functools import wraps
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from chorus.lib.hosts import current_host, is_onion


def allow_methods(*methods: str):
    """The site's one wrong-method guard: any other method gets the 405 page, which
    says why, with an Allow header. Allowing GET allows HEAD too (as HTTP has it)."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in allowed:
                response = render(request, "405.html", status=405)
                response["Allow"] = ", ".join(methods)
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


require_post = allow_methods("POST")
require_safe = allow_methods("GET")


def same_site_post(refused_template: str, *, allow_get: bool = False):
    """For forms that must work without any cookie of ours: a signer's first visit,
    a partner's iframe, a reader's reply, a signer's own pages. POST only (with
    `allow_get`, GET too), no CSRF cookie; a post that a browser says came from
    another site's page gets `refused_template` (403)."""

    def decorator(view):
        @csrf_exempt
        @(allow_methods("GET", "POST") if allow_get else require_post)
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and is_cross_site(request):
                return render(request, refused_template, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# What a signer's own pages ask the browser to forget, on a shared or watched
# device: anything cached, stored or set for this site (signers have no cookie
# of ours; an organiser signing in the same browser is logged out).
CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def leave_no_trace(view):
    """For the pages that show a signer's own signature (thanks, confirm, manage):
    no copy kept by the browser or a proxy, and the site's data cleared."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
        return response

    return wrapper


# What a public view tells CacheHeadersMiddleware (lib/middleware.py), which decides
# every response's Cache-Control and Vary. Said on the request before the view runs,
# so that it holds for the view's 404 or 410 as much as for its page.
PUBLIC_PAGE = "page"  # the same for every anonymous reader of one language
PUBLIC_DATA = "data"  # the same for everyone, in every language


def _marked_public(view, kind: str):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.public_answer = kind
        return view(request, *args, **kwargs)

    return wrapper


def public_page(view):
    """A page that shared caches (nginx's micro-cache, a CDN) may keep for
    CHORUS_PUBLIC_MAX_AGE seconds, one copy per language: it varies on Accept-Language
    and on Cookie (the language cookie, and a logged-in organiser's header). The
    middleware still keeps it private for a reader with a session, or when it sets a cookie."""
    return _marked_public(view, PUBLIC_PAGE)


def public_data(view):
    """Like public_page, for an answer that holds no language (count.json, the log, a
    signed statement): its success varies on neither Accept-Language nor Cookie, so one
    copy serves every reader."""
    return _marked_public(view, PUBLIC_DATA)


def cached_page(key: str, render_page: Callable[[], HttpResponse]) -> HttpResponse:
    """A public page rendered once per key every few seconds, not once per view.

    Only for pages that are the same for every reader and set no cookie; the
    key says what they vary by (the language, at least).
    """
    key = f"{key}@{current_host()}"  # its absolute links name the host (lib.hosts)
    content = cache.get(key)
    if content is None:
        response = render_page()
        cache.set(key, response.content, settings.CHORUS_COUNT_CACHE_SECONDS)
        return response
    return HttpResponse(content)


def public_json(request, payload: dict, *, etag: str | None = None) -> HttpResponse:
    """JSON that partner sites may read from anywhere and cache: no cookie, an ETag."""
    body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    etag = etag or f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=settings.CHORUS_PUBLIC_MAX_AGE)
    return response


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


@memoise
def _networks(proxies: tuple[str, ...]) -> tuple[IPv4Network | IPv6Network, ...]:
    return tuple(ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address of whoever sent this request, as rate limits and digests see it.

    X-Forwarded-For is believed only when our direct peer is one of
    CHORUS_TRUSTED_PROXIES; then the right-most address that is not one of our
    proxies is the client (everything left of it was written by the client, and
    can be anything). Anyone else's header is ignored, so it cannot move a
    sender into another limit bucket.
    """
    if is_onion(current_host()):
        # The peer is the local Tor daemon, the same for every onion visitor: no
        # address at all, so that per-IP limits do not hold every onion signer.
        return ""
    peer = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.CHORUS_TRUSTED_PROXIES))
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if _is_trusted(hop, networks):
            continue
        try:
            return str(ip_address(hop))
        except ValueError:
            # Our own proxy wrote something that is not an address: fall back to it.
            return peer
    return peer


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
    # From META, not request.headers: that builds a dict of every header first, and
    # this runs for every signature (signatures/hot_path.py).
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return False  # not a browser form post: nothing to forge
    allowed = {_origin(settings.SITE_URL), _origin(request.build_absolute_uri("/"))}
    allowed.update(_origin(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS)
    return origin.lower() not in allowed


def private_preview(view):
    """For a page reached by a secret link (a petition's preview before it opens): kept by
    no cache, neither ours (never cached_page), nginx's nor the browser's; not indexed;
    and its address, which holds the secret, never sent on as a Referer."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper
