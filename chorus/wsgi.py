"""The WSGI application: the whole site, with one short way through for anonymous traffic.

During a rush nearly every request that reaches Python is a signature or a
cookie-less reader of a petition's public pages (nginx's micro-cache answers most
readers, but each page still costs one request a second, and a site without nginx
serves them all), and each middleware costs every one of them (PERFORMANCE.md).
Those requests therefore go through a second Django handler built from
settings.ANONYMOUS_MIDDLEWARE: the same views, URLs, security and cache headers,
CSP and language, without the session, authentication, CSRF cookie and messages
that signers and anonymous readers never have. Everything else, and any request
that carries a cookie, takes the full stack. A cookie-less signature takes a shorter
way still: chorus/signatures/hot_path.py.
"""

import os
import re

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")

site = get_wsgi_application()

_PETITION = r"/petitions/[-a-zA-Z0-9_]+/"
# The petition page's form and the embed's (chorus/signatures/urls.py, chorus/embeds/urls.py).
SIGN_PATH = re.compile(r"/petitions/([-a-zA-Z0-9_]+)/(?:embed/)?sign/?")
# What readers and partner sites fetch of a petition (petitions, counting and embeds urls).
READ_PATH = re.compile(
    _PETITION + r"(?:|count\.json|history\.json|countries\.json|history/|embed/|badge\.svg"
    r"|map\.png)"
)


class AnonymousHandler(WSGIHandler):
    """Django's own handler with the anonymous path's middleware list."""

    def load_middleware(self, is_async=False):
        # Read once, at start-up, before any request: Django builds the chain from
        # settings.MIDDLEWARE, so it is that list for the time it takes to build.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.ANONYMOUS_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


anonymous = AnonymousHandler()

from chorus.signatures import hot_path  # noqa: E402 - needs the apps loaded above


def is_anonymous(environ) -> bool:
    """A signature POST, or a GET of a petition's public page or figures with no cookie."""
    method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
    if method == "POST":
        return SIGN_PATH.fullmatch(path) is not None
    return (method in ("GET", "HEAD") and not environ.get("HTTP_COOKIE")
            and READ_PATH.fullmatch(path) is not None)


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") == "POST" and not environ.get("HTTP_COOKIE") and (
        sign := SIGN_PATH.fullmatch(environ.get("PATH_INFO", ""))
    ):
        return hot_path.sign(environ, start_response, slug=sign[1], site=anonymous)
    if is_anonymous(environ):
        return anonymous(environ, start_response)
    return site(environ, start_response)
