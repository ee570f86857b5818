import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chorus.petitions.models import Petition, PetitionTranslation
from chorus.signatures.counting.services import signatures_count


def make_petition(organisation, slug, *, count=0, state="open"):
    petition = Petition.objects.create(
        organisation=organisation, slug=slug, title=f"Petition {slug}", target="Target",
        ask="Ask", signature_count=count,
    )
    if state != "draft":
        petition.open()
    if state == "closed":
        petition.close()
    return petition


def test_home_lists_open_petitions_most_signed_first(client, organisation):
    make_petition(organisation, "few", count=3)
    make_petition(organisation, "many", count=300)
    make_petition(organisation, "hidden", state="draft")
    make_petition(organisation, "over", state="closed", count=1000)
    content = client.get("/").content.decode()
    assert content.index("Petition many") < content.index("Petition few")
    assert "Petition hidden" not in content
    assert "Petition over" not in content


def test_the_list_searches_and_filters(client, organisation):
    make_petition(organisation, "forests")
    make_petition(organisation, "rivers", state="closed")
    make_petition(organisation, "secret", state="draft")
    assert "Petition forests" in client.get("/petitions/?q=forests").content.decode()
    assert "Petition rivers" not in client.get("/petitions/?q=forests").content.decode()
    closed = client.get("/petitions/?state=closed").content.decode()
    assert "Petition rivers" in closed and "Petition forests" not in closed
    assert "Petition secret" not in client.get("/petitions/?q=secret").content.decode()


def test_the_list_is_paginated(client, organisation):
    for i in range(25):
        make_petition(organisation, f"p{i}", count=i)
    first = client.get("/petitions/").content.decode()
    second = client.get("/petitions/?page=2").content.decode()
    assert "Petition p24" in first and "Petition p0" not in first
    assert "Petition p0" in second
    assert client.get("/petitions/?page=999").status_code == 200
    assert client.get("/petitions/?page=x").status_code == 200


def test_the_petition_page_shows_what_people_sign(client, petition):
    petition.statement = "We will not stop."
    petition.statement_by = "Mira K."
    petition.statement_role = "Chair of the board"
    petition.save()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    for text in ["Stop the lawsuit", "The Government of Norvania", "Withdraw the lawsuit.",
                 "<strong>government</strong>", "We will not stop.", "Chair of the board",
                 "Goal: 100", 'name="email"', 'value="DE">Germany</option>']:
        assert text in content


def test_the_petition_body_is_sanitised(client, petition):
    petition.body = "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"
    petition.save()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "<script>alert" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_the_petition_page_shows_the_count_as_of_the_last_run(client, petition):
    from chorus.signatures.models import Signature

    Signature.objects.create(
        petition=petition, name="A", email="a@example.org", email_digest="a" * 64,
        country="DE", state="confirmed",
    )
    signatures_count()
    content = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "<strong>1</strong>" in content
    assert "person has signed" in content
    assert "as of" in content


def test_a_draft_petition_is_not_public(client, organisation):
    draft = make_petition(organisation, "draft", state="draft")
    assert client.get(f"/petitions/{draft.slug}/").status_code == 404
    assert client.get(f"/petitions/{draft.slug}/count.json").status_code == 404


def test_a_closed_petition_shows_no_form(client, organisation):
    closed = make_petition(organisation, "closed", state="closed")
    content = client.get(f"/petitions/{closed.slug}/").content.decode()
    assert "no longer accepts signatures" in content
    assert 'name="email"' not in content


def test_the_organisation_page_lists_its_public_petitions(client, organisation):
    make_petition(organisation, "visible")
    make_petition(organisation, "draft", state="draft")
    content = client.get(f"/organisations/{organisation.slug}/").content.decode()
    assert "Petition visible" in content and "Petition draft" not in content


def test_pages_load_nothing_from_another_origin(client, petition):
    response = client.get(f"/petitions/{petition.slug}/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    content = response.content.decode()
    for attribute in ['src="http', "src=\"//", 'href="//', "@import"]:
        assert attribute not in content
    assert '<link rel="stylesheet" href="/static/' in content


def test_the_source_code_is_carried_into_the_form(client, petition):
    content = client.get(f"/petitions/{petition.slug}/?source=partner-news").content.decode()
    assert 'name="source" value="partner-news"' in content


def test_an_edited_petition_shows_its_new_text_once_the_short_cache_passes(client, petition):
    from django.core.cache import cache

    client.get(f"/petitions/{petition.slug}/")
    petition.ask = "Withdraw the lawsuit today."
    petition.save()
    cache.delete(f"petition:{petition.slug}")  # what a few seconds do
    page = client.get(f"/petitions/{petition.slug}/").content.decode()
    assert "Withdraw the lawsuit today." in page


def search_form(page: str) -> str:
    start = page.index('<form class="search"')
    return page[start:page.index("</form>", start)]


def test_the_home_page_has_a_search_box_for_every_petition(client, organisation):
    form = search_form(client.get("/").content.decode())
    assert 'method="get" action="/petitions/" role="search"' in form
    assert '<label for="q">Search petitions</label>' in form
    assert '<input id="q" name="q" type="search"' in form
    assert '<button type="submit">Search</button>' in form


def test_the_search_box_speaks_the_readers_language(organisation):
    from django.test import Client

    form = search_form(Client(HTTP_ACCEPT_LANGUAGE="ru").get("/").content.decode())
    assert "Search petitions" not in form and "Поиск петиций" in form


def test_the_list_finds_every_word_of_a_search_in_any_order_and_in_the_text(
    client, organisation
):
    found = make_petition(organisation, "found")
    found.body = "The lawsuit to liquidate the Spectrum Alliance reaches the Supreme Court."
    found.save()
    make_petition(organisation, "other")
    for query in ["Supreme", "Spectrum lawsuit", "court, supreme"]:
        page = client.get("/petitions/", {"q": query}).content.decode()
        assert "Petition found" in page and "Petition other" not in page
    page = client.get("/petitions/", {"q": "lawsuit", "state": "closed"}).content.decode()
    assert "Petition found" not in page


@pytest.mark.parametrize("query", ["\x00", "?!…", "x" * 10240, "nothing like it"])
def test_the_list_answers_a_search_that_finds_nothing_politely(client, organisation, query):
    make_petition(organisation, "forests")
    response = client.get("/petitions/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No petitions match your search." in page and "Petition forests" not in page


def test_a_search_costs_the_same_queries_however_many_petitions_it_finds(client, organisation):
    def queries(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/petitions/", {"q": query}).status_code == 200
        return len(captured)

    make_petition(organisation, "forests-1")
    one = queries("forests")
    for i in range(2, 25):
        petition = make_petition(organisation, f"forests-{i}")
        PetitionTranslation.objects.create(petition=petition, language="ru", title="Леса",
                                           ask="Спасите леса.")
    assert queries("forests") == one
    assert "Petition forests-1" in client.get(
        "/petitions/", {"q": "forests", "page": 2}).content.decode()


def test_the_organisation_page_searches_its_own_petitions(client, organisation):
    from chorus.organisers.models import Organisation

    make_petition(organisation, "forests")
    make_petition(organisation, "rivers")
    other = Organisation.objects.create(name="Another Group", slug="another-group")
    make_petition(other, "forests-elsewhere")
    url = f"/organisations/{organisation.slug}/"
    page = client.get(url, {"q": "forests"}).content.decode()
    assert f'action="{url}" role="search"' in search_form(page)
    assert "Search this organisation’s petitions" in search_form(page)
    assert 'value="forests"' in search_form(page)
    assert "Petition forests" in page and "Petition rivers" not in page
    assert "Petition forests-elsewhere" not in page
    page = client.get(url, {"q": "\x00"}).content.decode()
    assert "No petitions match your search." in page
