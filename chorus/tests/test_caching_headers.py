"""What a shared cache in front may keep, for every URL of the site: one table for all of them.

nginx's micro-cache (and many CDNs) ignore Set-Cookie and store whatever a response's
Cache-Control allows, so that header alone must keep a signer's or an organiser's page out
of it (chorus.lib.middleware.CacheHeadersMiddleware). Every URL pattern of chorus.urls is
visited with the demo content; a new pattern fails here until it has a line in EXPECTED.

PAGE: public, one copy per language (Vary: Accept-Language, Cookie). DATA: public, one copy
for every language (Vary on neither). PRIVATE: "private, no-store". A public URL is private
all the same to a logged-in organiser.
"""

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, resolve, reverse

from chorus.lib.middleware import CacheHeadersMiddleware
from chorus.tests.pages import demo_site

PAGE, DATA, PRIVATE = "public page", "public data", "private"
READER, ORGANISER, STAFF = "reader", "organiser", "staff"

# URL name (the route where it has none) → its class, and who opens it (READER if not said).
EXPECTED = {
    "petitions:home": PAGE,
    "petitions:list": PAGE,
    "petitions:changes": PAGE,
    "petitions:organisation": PAGE,
    "petitions:manage:create": (PRIVATE, ORGANISER),
    "petitions:manage:detail": (PRIVATE, ORGANISER),
    "petitions:manage:edit": (PRIVATE, ORGANISER),
    "petitions:manage:submit": (PRIVATE, ORGANISER),
    "petitions:manage:close": (PRIVATE, ORGANISER),
    "petitions:manage:victory": (PRIVATE, ORGANISER),
    "petitions:manage:opening": (PRIVATE, ORGANISER),
    "petitions:manage:pause": (PRIVATE, ORGANISER),
    "petitions:manage:resume": (PRIVATE, ORGANISER),
    "petitions:previews:list": (PRIVATE, ORGANISER),
    "petitions:previews:revoke": (PRIVATE, ORGANISER),
    "petitions:translations:edit": (PRIVATE, ORGANISER),
    "petitions:translations:delete": (PRIVATE, ORGANISER),
    "petitions:targets:add": (PRIVATE, ORGANISER),
    "petitions:targets:edit": (PRIVATE, ORGANISER),
    "petitions:targets:move": (PRIVATE, ORGANISER),
    "petitions:targets:remove": (PRIVATE, ORGANISER),
    "petitions:targets:answer": (PRIVATE, ORGANISER),
    "petitions:targets:handin": (PRIVATE, ORGANISER),
    "petitions:partners:list": (PRIVATE, ORGANISER),
    "petitions:partners:invite": (PRIVATE, ORGANISER),
    "petitions:partners:consent": (PRIVATE, ORGANISER),
    "petitions:partners:revoke": (PRIVATE, ORGANISER),
    "petitions:partners:detail": (PRIVATE, ORGANISER),
    "petitions:partners:remove": (PRIVATE, ORGANISER),
    "petitions:partners:accept": (PRIVATE, ORGANISER),
    "signatures:petition": PAGE,
    "signatures:sign": PRIVATE,
    # A secret link to a petition before it opens: never in a shared cache.
    "signatures:preview": PRIVATE,
    "petitions/<slug:slug>/sign": PRIVATE,
    "signatures:thanks": PRIVATE,
    "signatures:forget": PRIVATE,
    "signatures:confirm": PRIVATE,
    "signatures:confirm_resend": PRIVATE,
    "signatures:manage": PRIVATE,
    "signatures:manage_data": PRIVATE,
    "signatures:withdraw": PRIVATE,
    "signatures:erase": PRIVATE,
    "signatures:receipt_email": PRIVATE,
    "signatures:counting:count_json": DATA,
    "signatures:counting:history": PAGE,
    "signatures:counting:history_json": DATA,
    # Country names are in the reader's language.
    "signatures:counting:countries_json": PAGE,
    # The map's picture has a legend in figures only: one copy for every language.
    "signatures:counting:map_png": DATA,
    # Each challenge may be spent once.
    "signatures:proof_of_work:challenge": PRIVATE,
    "signatures:exports:csv": (PRIVATE, ORGANISER),
    "signatures:exports:delivery": (PRIVATE, ORGANISER),
    "signatures:exports:delivery_page": (PRIVATE, ORGANISER),
    "signatures:exports:purge": (PRIVATE, ORGANISER),
    "signatures:exports:partner_csv": (PRIVATE, ORGANISER),
    "signatures:transparency:log": PAGE,
    "signatures:transparency:log_json": DATA,
    "signatures:transparency:statement": DATA,
    "signatures:transparency:leaves": DATA,
    "signatures:transparency:proof": PRIVATE,
    "signatures:transparency:key": DATA,
    "signatures:sealing:keys": (PRIVATE, ORGANISER),
    "signatures:sealing:reseal_bundle": (PRIVATE, ORGANISER),
    "signatures:sealing:reseal": (PRIVATE, ORGANISER),
    "signatures:paper:batches": (PRIVATE, ORGANISER),
    "signatures:paper:create": (PRIVATE, ORGANISER),
    "signatures:paper:anomalies": (PRIVATE, ORGANISER),
    "signatures:paper:csv_template": (PRIVATE, ORGANISER),
    "signatures:paper:batch": (PRIVATE, ORGANISER),
    "signatures:paper:sheet": (PRIVATE, ORGANISER),
    "signatures:paper:entry": (PRIVATE, ORGANISER),
    "signatures:paper:import": (PRIVATE, ORGANISER),
    "signatures:paper:compare": (PRIVATE, ORGANISER),
    "signatures:paper:send_back": (PRIVATE, ORGANISER),
    "embeds:embed": PAGE,
    "embeds:sign": PRIVATE,
    "embeds:preview": PRIVATE,
    "embeds:thanks": PRIVATE,
    "embeds:badge": PAGE,
    "embeds:share": PAGE,
    "embeds:oembed": DATA,
    "updates:create": (PRIVATE, ORGANISER),
    "updates:mail": (PRIVATE, ORGANISER),
    "updates:unsubscribe": PRIVATE,
    "organisers:signup": PRIVATE,
    "organisers:signup_done": PRIVATE,
    "organisers:verify": PRIVATE,
    "organisers:login": PRIVATE,
    "organisers:logout": (PRIVATE, ORGANISER),
    "organisers:password_reset": PRIVATE,
    "organisers:password_reset_done": PRIVATE,
    "organisers:password_reset_confirm": PRIVATE,
    "organisers:password_reset_complete": PRIVATE,
    "organisers:invitation": PRIVATE,
    "organisers:security:verify": (PRIVATE, STAFF),
    "organisers:security:setup": (PRIVATE, STAFF),
    "organisers:security:recovery_codes": (PRIVATE, STAFF),
    "organisers:organisation_create": (PRIVATE, ORGANISER),
    "organisers:members": (PRIVATE, ORGANISER),
    "organisers:member_invite": (PRIVATE, ORGANISER),
    "organisers:member_role": (PRIVATE, ORGANISER),
    "organisers:member_remove": (PRIVATE, ORGANISER),
    "organisers:invitation_revoke": (PRIVATE, ORGANISER),
    "dashboard:home": (PRIVATE, ORGANISER),
    "moderation:queue": (PRIVATE, STAFF),
    "moderation:audit": (PRIVATE, STAFF),
    "moderation:review": (PRIVATE, STAFF),
    "moderation:approve": (PRIVATE, STAFF),
    "moderation:reject": (PRIVATE, STAFF),
    "moderation:send_back": (PRIVATE, STAFF),
    "moderation:take_down": (PRIVATE, STAFF),
    "moderation:restore": (PRIVATE, STAFF),
    "moderation:correct": (PRIVATE, STAFF),
    "moderation:response": (PRIVATE, STAFF),
    "moderation:held:list": (PRIVATE, STAFF),
    "moderation:held:decide": (PRIVATE, STAFF),
    "moderation:abuse:flags": (PRIVATE, STAFF),
    "moderation:abuse:flag_dismiss": (PRIVATE, STAFF),
    "moderation:abuse:flag_block": (PRIVATE, STAFF),
    "moderation:abuse:bulk": (PRIVATE, STAFF),
    "moderation:abuse:batches": (PRIVATE, STAFF),
    "moderation:abuse:undo": (PRIVATE, STAFF),
    "moderation:replies:queue": (PRIVATE, STAFF),
    "moderation:replies:bulk": (PRIVATE, STAFF),
    "moderation:replies:decide": (PRIVATE, STAFF),
    "moderation:replies:story": (PRIVATE, STAFF),
    "stories:manage_list": (PRIVATE, ORGANISER),
    "stories:create": (PRIVATE, ORGANISER),
    "stories:edit": (PRIVATE, ORGANISER),
    "stories:publish": (PRIVATE, ORGANISER),
    "stories:unpublish": (PRIVATE, ORGANISER),
    "stories:translation": (PRIVATE, ORGANISER),
    "stories:list": PAGE,
    "stories:feed_rss": PAGE,
    "stories:feed_atom": PAGE,
    "stories:tag": PAGE,
    "stories:detail": PAGE,
    "stories:replies:create": PRIVATE,
    "stories/<slug:slug>/replies": PRIVATE,
    "api:docs": PAGE,
    "api:keys:list": (PRIVATE, ORGANISER),
    "api:keys:revoke": (PRIVATE, ORGANISER),
    "about:about": PAGE,
    "about:privacy": PAGE,
    "about:contact": PAGE,
    # Sets the language cookie.
    "set_language": PRIVATE,
    # The API's answers keep Accept-Language: its errors are in the reader's language.
    "api-v1:api-root": PRIVATE,
    "api-v1:openapi-json": PAGE,
    "api-v1:petitions": PAGE,
    "api-v1:petition": PAGE,
    "api-v1:count": PAGE,
    "api-v1:history": PAGE,
    "api-v1:countries": PAGE,
    "api-v1:partners": PAGE,
    "api-v1:updates": PAGE,
    "api-v1:milestones": PAGE,
    "api-v1:record_signature": PRIVATE,
    "media/<path:path>": DATA,
}
# The admin's URLs come with each model registered there: all of them private.
ADMIN = "admin/"

MEDIA_FILE = "petitions/caching.txt"


def url_patterns(resolver=None, prefix="", namespace=""):
    """(name or route, route) of every URL pattern, included ones too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, route, inner)
        else:
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def expected(key: str, route: str) -> tuple[str, str]:
    if route.startswith(ADMIN):
        return PRIVATE, STAFF
    entry = EXPECTED[key]
    return entry if isinstance(entry, tuple) else (entry, READER)


def path_for(key: str, route: str, site: dict) -> str:
    """The route with each parameter filled in from the demo content."""
    petition = site["petition"]

    def value(name: str) -> str:
        if name == "slug":
            if key == "stories:tag":
                return site["tag"].slug
            if key.startswith("stories:") or key.startswith("stories/") or key.endswith(":story"):
                return site["story"].slug
            if "organisations/<slug" in route:
                return petition.organisation.slug
            return petition.slug
        if name == "token":
            if key.startswith("signatures:confirm"):
                return site["confirm_token"]
            return site["manage_token"] if key.startswith("signatures:") else "not-a-token"
        return {"language": "ru", "path": MEDIA_FILE, "uidb64": "MQ"}.get(name, "1")

    path = re.sub(r"\(\?P<\w+>[^)]*\)", "no-such-page/", route)  # the admin's catch-all
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: value(match.group(1)), path)
    query = {"embeds:oembed": f"?url={settings.SITE_URL}{petition.get_absolute_url()}"}
    return "/" + path.replace("^", "").replace("$", "") + query.get(key, "")


def caching_class(response) -> str:
    said = response.get("Cache-Control", "")
    directives = {part.strip().split("=")[0] for part in said.split(",")}
    if "public" not in directives:
        assert {"private", "no-store"} <= directives, said
        return PRIVATE
    vary = {name.strip() for name in response.get("Vary", "").split(",") if name.strip()}
    if {"Accept-Language", "Cookie"} <= vary:
        return PAGE
    return DATA if not vary & {"Accept-Language", "Cookie"} else f"public, Vary: {vary}"


@pytest.fixture
def site(db):
    content = demo_site()
    # Where the media URL pattern looks, fixed when chorus.urls was first imported.
    root = resolve(settings.MEDIA_URL + MEDIA_FILE).kwargs["document_root"]
    media = Path(root) / MEDIA_FILE
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_text("a file anyone may see")
    yield content
    media.unlink()


@pytest.fixture
def clients(client, site):
    # A client of its own per person: one logging out must not end another's session.
    people = {READER: client, ORGANISER: type(client)(), STAFF: type(client)()}
    people[ORGANISER].force_login(site["organiser"])
    people[STAFF].force_login(site["moderator"])
    return people


def test_every_url_pattern_has_an_entry_in_the_table():
    keys = {key for key, route in url_patterns() if not route.startswith(ADMIN)}
    assert keys - EXPECTED.keys() == set(), "new URL patterns: say how they may be cached"
    assert EXPECTED.keys() - keys == set(), "URL patterns that no longer exist"


def test_every_url_is_cached_as_the_table_says(site, clients):
    wrong = []
    for key, route in url_patterns():
        kind, who = expected(key, route)
        path = path_for(key, route, site)
        for person in {READER, who}:
            response = clients[person].get(path)
            seen = caching_class(response)
            # Public to readers; never to someone logged in, who sees their own header.
            want = kind if person == READER else PRIVATE
            if seen != want or (want != PRIVATE and response.status_code != 200):
                wrong.append(f"{path} as {person}: {response.status_code} {seen}, not {want}")
        if kind != PRIVATE:
            response = clients[ORGANISER].get(path)
            if caching_class(response) != PRIVATE:
                wrong.append(f"{path} as an organiser: public")
    assert wrong == []


def test_a_reader_with_a_language_cookie_gets_a_page_that_varies_on_it(client, petition):
    client.cookies["django_language"] = "ru"

    response = client.get(petition.get_absolute_url())

    assert response["Content-Language"] == "ru"
    assert response["Cache-Control"] == "public, max-age=1"
    assert {"Accept-Language", "Cookie"} <= {name.strip() for name in response["Vary"].split(",")}


def test_figures_that_hold_no_language_vary_on_nothing_but_the_host(client, petition, settings):
    settings.CHORUS_SITE_HOSTS = ["mirror.example.net"]
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.net"]

    response = client.get(f"/petitions/{petition.slug}/count.json", headers={"Cookie": "a=b"})

    assert response["Vary"] == "Host"


@pytest.mark.parametrize("said", ["public, max-age=86400, immutable", ""])
def test_a_public_answer_that_sets_a_cookie_leaves_private(said):
    def view(request):
        request.public_answer = "page"
        response = HttpResponse("Hello")
        if said:
            response["Cache-Control"] = said
        response.set_cookie("django_language", "ru")
        return response

    response = CacheHeadersMiddleware(view)(RequestFactory().get("/"))

    assert caching_class(response) == PRIVATE
    assert "immutable" not in response["Cache-Control"]


def test_posts_are_never_public(client, petition):
    signed = client.post(f"/petitions/{petition.slug}/sign/", {"name": "N", "email": "n@x.org"})
    checked = client.post(f"/petitions/{petition.slug}/proof", {"receipt": "x"})

    assert caching_class(signed) == caching_class(checked) == PRIVATE


def test_no_response_that_sets_a_cookie_is_public(site, clients):
    for key, route in url_patterns():
        for person in (READER, expected(key, route)[1]):
            response = clients[person].get(path_for(key, route, site))
            if response.cookies:
                assert caching_class(response) == PRIVATE, route


def test_the_database_down_page_is_never_stored(petition, outage, client):
    outage.start()

    response = client.get(petition.get_absolute_url())

    assert response.status_code == 503
    assert caching_class(response) == PRIVATE


def test_a_public_page_goes_gzipped_to_a_client_that_takes_it(client, petition):
    plain = client.get(petition.get_absolute_url())
    compressed = client.get(petition.get_absolute_url(), headers={"Accept-Encoding": "gzip, br"})

    assert "Content-Encoding" not in plain
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 2
    for response in (plain, compressed):
        assert "Accept-Encoding" in {name.strip() for name in response["Vary"].split(",")}
        assert response["Cache-Control"] == "public, max-age=1"


def test_a_private_page_is_never_compressed(client):
    # A page with a secret in it (here the CSRF token) is where a compression side
    # channel (BREACH) could read it: never compressed.
    response = client.get(reverse("organisers:login"), headers={"Accept-Encoding": "gzip"})

    assert "no-store" in response["Cache-Control"]
    assert "Content-Encoding" not in response
    assert b"csrfmiddlewaretoken" in response.content
