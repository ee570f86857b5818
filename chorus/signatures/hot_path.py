"""The hot path: a plain signature answered without the rest of Django's request cycle.

In a rush nearly every POST is a signature, and Django's cycle around the sign
view (resolving the URL, eight middleware, building the response and its
headers) cost more CPU than validating, screening, encrypting and storing the
signature together (bench/README.md). Here the same request object, the same
checks and the same `submit_signature` run, and only the answer is shortcut:
a stored signature is always answered with the same redirect, whose headers
depend on nothing but the address posted to, the host, the scheme and the
language. So the first signature of each such kind goes through Django, its
answer's status and headers are kept, and later ones get that answer (with a
fresh `Expires`).

Anything else is left to Django, untouched, with the body put back as it came:
a cookie, a cross-site post, an unknown, closed, paused or taken-down
petition, an invalid form, a proof of work that fails, a typo to confirm, an
error of any kind before the signature is stored. Nothing of those has a side
effect here before it is handed over.
"""

import io
import threading
import time

from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import set_script_prefix
from django.utils import translation
from django.utils.http import http_date

from chorus.lib.hosts import answering_on
from chorus.lib.http import is_cross_site
from chorus.petitions.selectors import public_petition_kept
from chorus.signatures.signing import submit_signature

# (path, host, scheme, language) → (status, headers without Expires) of
# Django's answer to a stored signature. Bounded: only real petitions' sign
# addresses get here, in the site's languages and on its hosts.
_answers: dict[tuple[str, str, str, str], tuple[str, list]] = {}
_lock = threading.Lock()
_UNIFORM = "Expires"  # the one header that changes from one answer to the next


@receiver(setting_changed)
def forget_answers(**_signal) -> None:
    """Have the next signature of each kind go through Django again (a setting changed)."""
    with _lock:
        _answers.clear()


def _recorder(key, start_response, language: str):
    """start_response for Django's answer, keeping it if it is a stored signature's."""

    def record(status, headers, exc_info=None):
        names = {name.lower(): value for name, value in headers}
        if (status.startswith("302") and "set-cookie" not in names
                and names.get("content-language") == language
                and "nonce-" not in names.get("content-security-policy", "")):
            with _lock:
                _answers[key] = (status, [(n, v) for n, v in headers if n != _UNIFORM])
        return start_response(status, headers, exc_info)

    return record


def sign(environ, start_response, *, slug: str, site: WSGIHandler):
    """Answer a cookie-less sign POST to petition `slug`; `site` answers whatever this does not."""
    length = environ.get("CONTENT_LENGTH") or ""
    length = int(length) if length.isdigit() else 0
    if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return site(environ, start_response)
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)  # for Django, if it answers after all
    environ["CONTENT_LENGTH"] = str(len(body))
    request = WSGIRequest(environ)
    try:
        host = request.get_host().lower()
        language = translation.get_language_from_request(request)
        key = (request.path, host, request.scheme, language)
    except Exception:  # noqa: BLE001 - a host not allowed, a bad header: Django answers
        return _django(environ, site, start_response)
    answer = _answers.get(key)
    if answer is None:
        return site(environ, _recorder(key, start_response, language))
    set_script_prefix(get_script_name(environ))  # as Django's handler does
    try:
        # The petition too may have to come from the database, which may be away.
        petition = public_petition_kept(slug)
        if petition is None or not petition.is_signable or is_cross_site(request):
            invalid = True  # unknown, closed, cross-site: Django says why
        else:
            with answering_on(host), translation.override(language):
                invalid = submit_signature(request, petition)
    except Exception:  # noqa: BLE001 - e.g. the database went away: Django's page for it
        invalid = True
    finally:
        # What Django does when it has answered: close a database connection that
        # failed or has lived its CONN_MAX_AGE. (request_started would only do the
        # same once more, and reset the queries DEBUG keeps.)
        signals.request_finished.send(sender=WSGIHandler)
    if invalid is not None:
        return _django(environ, site, start_response)
    status, headers = answer
    # As add_never_cache_headers writes it: a second ago.
    start_response(status, [*headers, (_UNIFORM, http_date(time.time() - 1))])
    return [b""]


def _django(environ, site, start_response):
    environ["wsgi.input"].seek(0)
    return site(environ, start_response)
