"""The WSGI application's short way through for anonymous traffic (chorus/wsgi.py).

The test client builds its own handler from settings.MIDDLEWARE, so it never takes
the short path; these tests call the real WSGI application, and check that what
the short path answers (signatures, cookie-less reads of a petition's public pages)
is answered exactly as the full stack would.
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
         origin: str = ORIGIN, cookie: str = "") -> tuple[int, dict, bytes]:
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
    if cookie:
        environ["HTTP_COOKIE"] = cookie
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
    for name in ("anonymous", "site"):
        handler = getattr(wsgi, name)
        monkeypatch.setattr(wsgi, name, lambda environ, start, h=handler, n=name: (
            seen.append(n), h(environ, start))[1])
    return seen


def test_signature_posts_take_the_short_path_and_other_posts_do_not(petition, signing_counter):
    call(f"/petitions/{petition.slug}/sign/", signer(1))
    call(f"/petitions/{petition.slug}/sign", signer(2))
    call(f"/petitions/{petition.slug}/embed/sign/", signer(3))
    call(f"/petitions/{petition.slug}/sign/", method="GET")
    call("/i18n/setlang/", {"language": "ru"})
    call(f"/petitions/{petition.slug}/sign/extra/", signer(4))
    assert signing_counter == ["anonymous", "anonymous", "anonymous", "site", "site", "site"]
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
    full, short = settings.MIDDLEWARE, settings.ANONYMOUS_MIDDLEWARE
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


READS = ["", "count.json", "history.json", "countries.json", "history/", "embed/", "badge.svg",
         "map.png"]


def test_cookie_less_reads_of_a_petition_take_the_short_path(petition, signing_counter):
    for read in READS:
        assert call(f"/petitions/{petition.slug}/{read}", method="GET")[0] == 200, read
    assert signing_counter == ["anonymous"] * len(READS)
    signing_counter.clear()
    # A cookie (a language chosen, an organiser's session), another page, a POST: the full site.
    call(f"/petitions/{petition.slug}/", method="GET", cookie="django_language=ru")
    call("/petitions/", method="GET")
    call(f"/petitions/{petition.slug}/thanks/", method="GET")
    call("/organiser/", method="GET")
    assert signing_counter == ["site"] * 4


@pytest.mark.parametrize("read", READS)
def test_a_cookie_less_read_is_answered_as_the_full_stack_answers_it(petition, read):
    path = f"/petitions/{petition.slug}/{read}"
    status, headers, content = call(path, method="GET")
    expected = Client().get(path)
    headers = header_dict(headers)
    assert status == expected.status_code
    for name in (*SECURITY_HEADERS, "Vary", "Content-Type", "ETag"):
        assert headers.get(name.lower()) == expected.headers.get(name), name
    assert "set-cookie" not in headers and not expected.cookies
    if read in ("", "history/", "embed/"):
        assert content.decode() == expected.content.decode()


def test_unknown_and_taken_down_petitions_read_the_same_on_the_short_path(petition):
    assert call("/petitions/no-such-petition/", method="GET")[0] == 404
    assert call("/petitions/no-such-petition/count.json", method="GET")[0] == 404
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.TAKEN_DOWN, taken_down_at=timezone.now(), updated_at=timezone.now(),
    )
    assert call(f"/petitions/{petition.slug}/", method="GET")[0] == 410
    assert call(f"/petitions/{petition.slug}/count.json", method="GET")[0] == 410
