"""The WSGI application's short way through for anonymous traffic (chorus/wsgi.py).

The test client builds its own handler from settings.MIDDLEWARE, so it never takes
the short path; these tests call the real WSGI application, and check that what
the short path answers (signatures, cookie-less reads of a petition's public pages)
is answered exactly as the full stack would.
"""

import io
import sys
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.test import Client
from django.utils import timezone
from django.utils.http import parse_http_date

from chorus import wsgi
from chorus.lib.digests import email_digest
from chorus.lib.forms import BOT_TRAP_FIELD
from chorus.petitions import selectors
from chorus.petitions.models import Petition
from chorus.signatures import services
from chorus.signatures.models import Signature
from chorus.signatures.proof_of_work import services as proof_of_work

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = "http://testserver"
SECURITY_HEADERS = (
    "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "Permissions-Policy", "Cache-Control", "Location",
)


def call(path: str, data: dict | None = None, *, method: str = "POST",
         origin: str = ORIGIN, cookie: str = "", language: str = "", length: str = "",
         ) -> tuple[int, dict, bytes]:
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
    if language:
        environ["HTTP_ACCEPT_LANGUAGE"] = language
    if length:
        environ["CONTENT_LENGTH"] = length
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = headers

    chunks = wsgi.application(environ, start_response)
    content = b"".join(chunks)
    getattr(chunks, "close", lambda: None)()  # optional in WSGI: the hot path's list has none
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
    for name in (*SECURITY_HEADERS, "Vary", "Content-Type", "ETag", "Content-Length"):
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


# The hot path (chorus/signatures/hot_path.py): after the first signature of a kind, the
# next ones are answered without Django's cycle, with the answer Django gave.

def test_the_next_signature_of_the_same_kind_is_answered_as_django_answered_the_first(
    petition, signing_counter,
):
    path = f"/petitions/{petition.slug}/sign/"
    first = call(path, signer(30))
    second = call(path, signer(31))
    third = call(path, signer(30))  # a duplicate: the same answer
    assert signing_counter == ["anonymous"]  # Django answered only the first
    assert first[0] == second[0] == third[0] == 302
    without_expiry = [{k: v for k, v in header_dict(answer[1]).items() if k != "expires"}
                      for answer in (first, second, third)]
    assert without_expiry[0] == without_expiry[1] == without_expiry[2]
    assert without_expiry[0]["location"] == f"/petitions/{petition.slug}/thanks/"
    expires = parse_http_date(header_dict(second[1])["expires"])
    assert expires <= time.time()
    rows = Signature.objects.filter(petition=petition)
    assert rows.count() == 2
    assert rows.get(email_digest=email_digest("nadia.31@example.org")).confirmation_due
    assert rows.get(email_digest=email_digest("nadia.30@example.org")).confirmation_sends == 2


def test_each_language_and_address_is_a_kind_of_its_own(petition, signing_counter):
    for n, (where, language) in enumerate([("", "ru"), ("", "ru"), ("embed/", "ru"),
                                           ("embed/", "ru"), ("", "")]):
        status, headers, _content = call(
            f"/petitions/{petition.slug}/{where}sign/", signer(40 + n), language=language,
        )
        assert status == 302
        assert header_dict(headers)["content-language"] == (language or "en")
    assert signing_counter == ["anonymous", "anonymous", "anonymous"]
    assert header_dict(headers)["location"] == f"/petitions/{petition.slug}/thanks/"
    languages = dict(Signature.objects.values_list("email_digest", "language"))
    assert languages[email_digest("nadia.41@example.org")] == "ru"
    assert languages[email_digest("nadia.43@example.org")] == "ru"
    assert languages[email_digest("nadia.44@example.org")] == "en"


@pytest.mark.parametrize("case", ["invalid", "cross-site", "closed", "cookie", "bot", "proof"])
def test_anything_unusual_is_still_answered_by_django(petition, signing_counter, case):
    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(50))[0] == 302  # the kind is known from now on
    data, origin, cookie = signer(51), ORIGIN, ""
    if case == "invalid":
        data = {"name": "Nadia <b>", "email": "not an address", "country": "DE"}
    elif case == "cross-site":
        origin = "https://elsewhere.example"
    elif case == "closed":
        Petition.objects.filter(pk=petition.pk).update(
            state=Petition.State.CLOSED, closed_at=timezone.now(), updated_at=timezone.now(),
        )
        cache.clear()
    elif case == "cookie":
        cookie = "django_language=ru"
    elif case == "bot":
        data = {**data, BOT_TRAP_FIELD: "https://spam.example"}
    elif case == "proof":
        Petition.objects.filter(pk=petition.pk).update(
            proof_of_work=Petition.ProofOfWork.ALWAYS, updated_at=timezone.now(),
        )
        cache.clear()
        data = {**data, proof_of_work.FIELD_NAME: "bm90IGEgc29sdXRpb24="}
    status, _headers, content = call(path, data, origin=origin, cookie=cookie)
    expected = {"invalid": 400, "cross-site": 403, "closed": 409, "cookie": 302, "bot": 302,
                "proof": 400}[case]
    assert status == expected
    stored = Signature.objects.filter(petition=petition).count()
    assert stored == (2 if case == "cookie" else 1)
    if case == "bot":  # answered as a signature by the hot path, stored by nobody
        assert signing_counter == ["anonymous"]
    else:
        assert signing_counter == ["anonymous", "anonymous"]
    if case == "invalid":  # the body reached Django whole: the form comes back as typed
        assert b"Please enter a valid e-mail address" in content
        assert b'value="Nadia &lt;b&gt;"' in content
    if case == "proof":
        assert b"did not succeed" in content


def test_a_petition_closed_on_this_node_is_refused_by_the_next_signature(
    petition, owner, signing_counter,
):
    from chorus.petitions.services import petition_close

    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(60))[0] == 302  # Django's answer: the kind is known
    assert call(path, signer(61))[0] == 302  # the hot path's: it keeps the petition
    petition_close(petition=petition, actor=owner)
    assert call(path, signer(62))[0] == 409  # at once, not when the kept copy runs out
    assert Signature.objects.filter(petition=petition).count() == 2


def test_a_petition_closed_elsewhere_is_refused_once_the_kept_copy_runs_out(
    petition, signing_counter, monkeypatch,
):
    clock = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: clock[0])
    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(70))[0] == 302
    assert call(path, signer(71))[0] == 302
    # Another node closes it: here only the shared cache's copy runs out.
    Petition.objects.filter(pk=petition.pk).update(
        state=Petition.State.CLOSED, closed_at=timezone.now(), updated_at=timezone.now(),
    )
    cache.clear()
    clock[0] += 0.4
    assert call(path, signer(72))[0] == 302  # still kept, for half a second at most
    clock[0] += 0.2
    assert call(path, signer(73))[0] == 409
    assert Signature.objects.filter(petition=petition).count() == 3


def test_a_database_failure_on_the_hot_path_gets_django_s_page_with_the_form(
    petition, signing_counter, monkeypatch,
):
    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(60))[0] == 302

    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "signature_create", unreachable)
    status, _headers, content = call(path, signer(61))
    assert status == 503
    assert b"nadia.61@example.org" in content
    assert signing_counter == ["anonymous", "anonymous"]


def test_a_database_failure_reading_the_petition_gets_django_s_page_with_the_form(
    petition, signing_counter, monkeypatch,
):
    # The petition's cached copy has expired while the database is away (PgBouncer
    # restarting): the hot path's own lookup fails, and Django answers with its page.
    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(62))[0] == 302

    def unreachable(slug):
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "_cached_petition", unreachable)
    status, _headers, content = call(path, signer(63))
    assert status == 503
    assert b"nadia.63@example.org" in content


@pytest.mark.parametrize("length", ["not a number", "-5", "0", str(10 ** 9)])
def test_a_body_of_no_sensible_length_goes_to_django(petition, signing_counter, length):
    path = f"/petitions/{petition.slug}/sign/"
    assert call(path, signer(80))[0] == 302
    status, _headers, _content = call(path, signer(81), length=length)
    assert status in (400, 413)
    assert signing_counter == ["anonymous", "anonymous"]
    assert Signature.objects.filter(petition=petition).count() == 1
