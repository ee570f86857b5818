"""The WSGI application's short way through for signatures (chorus/wsgi.py).

The test client builds its own handler from settings.MIDDLEWARE, so it never takes
the signing path; these tests call the real WSGI application, and check that a
signature answered by the short path is answered exactly as the full stack would.
"""

import io
import sys
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chorus import wsgi
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://testserver"
SECURITY_HEADERS = (
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "Permissions-Policy", "Cache-Control", "Location",
)


def call(path: str, data: dict | None = None, *, method: str = "POST",
         origin: str = ORIGIN) -> tuple[int, dict, bytes]:
    body = urlencode(data or {}).encode()
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "testserver", "SERVER_PORT": "80", "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "203.0.113.9", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
        "HTTP_ORIGIN": origin, "HTTP_SEC_FETCH_SITE": "same-origin" if origin == ORIGIN
        else "cross-site",
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = headers

    chunks = wsgi.application(environ, start_response)
    content = b"".join(chunks)
    chunks.close()
    return answer["status"], answer["headers"], content


def header_dict(headers) -> dict:
    return {name.lower(): value for name, value in headers}


def full_stack(path: str, data: dict, *, origin: str = ORIGIN):
    response = Client().post(path, data, HTTP_ORIGIN=origin, REMOTE_ADDR="203.0.113.9",
                             HTTP_SEC_FETCH_SITE="same-origin" if origin == ORIGIN
                             else "cross-site")
    return response.status_code, {k.lower(): v for k, v in response.items()}, response


def signer(n: int) -> dict:
    return {"name": "Nadia Petrova", "email": f"nadia.{n}@example.org", "country": "DE"}


@pytest.fixture
def signing_counter(monkeypatch):
    """Which handler answered: the short path's or the full site's."""
    seen = []
    for name in ("signing", "site"):
        handler = getattr(wsgi, name)
        monkeypatch.setattr(wsgi, name, lambda environ, start, h=handler, n=name: (
            seen.append(n), h(environ, start))[1])
    return seen


def test_signature_posts_take_the_short_path_and_nothing_else_does(petition, signing_counter):
    call(f"/petitions/{petition.slug}/sign/", signer(1))
    call(f"/petitions/{petition.slug}/sign", signer(2))
    call(f"/petitions/{petition.slug}/embed/sign/", signer(3))
    call(f"/petitions/{petition.slug}/sign/", method="GET")
    call("/i18n/setlang/", {"language": "ru"})
    call(f"/petitions/{petition.slug}/sign/extra/", signer(4))
    assert signing_counter == ["signing", "signing", "signing", "site", "site", "site"]
    assert Signature.objects.filter(petition=petition).count() == 3


@pytest.mark.parametrize("case", ["valid", "invalid", "cross-site", "closed", "embed"])
def test_the_short_path_answers_exactly_as_the_full_stack(petition, case):
    path = f"/petitions/{petition.slug}/{'embed/' if case == 'embed' else ''}sign/"
    origin = "https://elsewhere.example" if case == "cross-site" else ORIGIN
    if case == "closed":
        Petition.objects.filter(pk=petition.pk).update(
            state=Petition.State.CLOSED, closed_at=timezone.now(), updated_at=timezone.now(),
        )
    data = {"name": "", "email": "not an address", "country": "DE"} if case == "invalid" \
        else signer(10)
    status, headers, content = call(path, data, origin=origin)
    expected_status, expected_headers, _response = full_stack(
        path, {**data, "email": data["email"].replace("10", "11")}, origin=origin,
    )
    headers = header_dict(headers)
    assert status == expected_status
    for name in SECURITY_HEADERS:
        assert headers.get(name.lower()) == expected_headers.get(name.lower()), name
    # Neither sets a cookie for a signer.
    assert "set-cookie" not in headers and "set-cookie" not in expected_headers
    if case == "invalid":
        assert b"Please enter your name." in content
    if case in ("valid", "embed"):
        assert Signature.objects.filter(petition=petition).count() == 2


def test_a_taken_down_petition_answers_gone_on_the_short_path(petition):
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.TAKEN_DOWN, taken_down_at=timezone.now(), updated_at=timezone.now(),
    )
    status, _headers, _content = call(f"/petitions/{petition.slug}/sign/", signer(20))
    assert status == 410
    assert not Signature.objects.exists()


def test_the_signing_middleware_is_the_full_list_without_what_signers_never_have():
    full, short = settings.MIDDLEWARE, settings.SIGNING_MIDDLEWARE
    assert [path for path in full if path in short] == short
    for kept in ("chorus.lib.middleware.CacheHeadersMiddleware",
                 "chorus.lib.hosts.SiteSecurityMiddleware",
                 "django.middleware.csp.ContentSecurityPolicyMiddleware",
                 "chorus.lib.middleware.DatabaseUnavailableMiddleware",
                 "django.middleware.locale.LocaleMiddleware",
                 "django.middleware.clickjacking.XFrameOptionsMiddleware",
                 "chorus.petitions.takedown.TakenDownMiddleware"):
        assert kept in short
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in short
