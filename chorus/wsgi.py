"""The WSGI application: the whole site, with one short way through for signatures.

During a rush nearly every request that reaches Python is a signature (nginx or
the page cache answers the readers), and each middleware costs every one of them
(PERFORMANCE.md). A POST to a sign address therefore goes through a second Django
handler built from settings.SIGNING_MIDDLEWARE: the same views, URLs, security
and cache headers, CSP and language, without the session, authentication, CSRF
cookie and messages that signers never have. Everything else takes the full stack.
"""

import os
import re

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")

site = get_wsgi_application()

# The petition page's form and the embed's (chorus/signatures/urls.py, chorus/embeds/urls.py).
SIGN_PATH = re.compile(r"/petitions/[-a-zA-Z0-9_]+/(?:embed/)?sign/?")


class SigningHandler(WSGIHandler):
    """Django's own handler with the signing path's middleware list."""

    def load_middleware(self, is_async=False):
        # Read once, at start-up, before any request: Django builds the chain from
        # settings.MIDDLEWARE, so it is that list for the time it takes to build.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.SIGNING_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


signing = SigningHandler()


def application(environ, start_response):
    if environ.get("REQUEST_METHOD") == "POST" and SIGN_PATH.fullmatch(
        environ.get("PATH_INFO", "")
    ):
        return signing(environ, start_response)
    return site(environ, start_response)
