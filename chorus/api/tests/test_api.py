import pytest

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition, PetitionTranslation
from chorus.petitions.search import petitions_search
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature


@pytest.fixture
def signed(petition):
    Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S{i}", email=f"a{i}@example.org",
                  email_digest=email_digest(f"a{i}@example.org"),
                  country="DE" if i < 6 else "BY", state="confirmed")
        for i in range(8)
    )
    signatures_count()
    return petition


def test_the_list_searches_filters_and_pages(client, organisation):
    for i in range(25):
        p = Petition.objects.create(organisation=organisation, slug=f"p{i}", title=f"Forest {i}",
                                    target="T", ask="A", signature_count=i)
        p.open()
    Petition.objects.create(organisation=organisation, slug="draft", title="Forest draft",
                            target="T", ask="A")
    first = client.get("/api/v1/petitions", {"q": "forest"}).json()
    assert first["count"] == 25
    assert [p["identifier"] for p in first["items"][:2]] == ["p24", "p23"]
    second = client.get("/api/v1/petitions", {"q": "forest", "page": 2}).json()
    assert len(second["items"]) == 5
    assert client.get("/api/v1/petitions", {"state": "closed"}).json()["count"] == 0
    assert client.get("/api/v1/petitions", {"state": "nonsense"}).status_code == 422


@pytest.mark.parametrize("state", ["draft", "pending", "rejected", "taken_down", "null", ""])
def test_the_list_refuses_states_it_never_lists(client, petition, state):
    response = client.get("/api/v1/petitions", {"state": state})
    assert response.status_code == 422
    assert [issue["loc"] for issue in response.json()["detail"]] == [["query", "state"]]


def test_the_schema_offers_only_the_states_the_list_holds(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/petitions"]["get"]
    state = next(p for p in operation["parameters"] if p["name"] == "state")
    assert state["schema"]["anyOf"][0]["enum"] == ["open", "closed"]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrors"}


def test_a_petition_uses_osdi_field_names(client, signed, settings):
    data = client.get(f"/api/v1/petitions/{signed.slug}").json()
    assert data["title"] == signed.title and data["summary"] == signed.ask
    assert data["target"] == [{"name": signed.target}]
    assert data["total_signatures"] == 8
    assert data["browser_url"] == f"{settings.SITE_URL}/petitions/{signed.slug}/"
    assert "petition_text" in data and "featured_image_url" in data and "action_date" in data
    assert "email" not in str(data)


def test_figures_count_history_and_countries_with_the_floor(client, signed):
    base = f"/api/v1/petitions/{signed.slug}"
    assert client.get(f"{base}/count").json()["total_signatures"] == 8
    history = client.get(f"{base}/history").json()
    assert [p["total_signatures"] for p in history["daily"]] == [8]
    countries = client.get(f"{base}/countries").json()
    assert countries["floor"] == 5
    assert {c["code"]: (c["total_signatures"], c["fewer_than"])
            for c in countries["countries"]} == {"DE": (6, None), "BY": (None, 5)}


def test_drafts_and_unknown_petitions_are_404(client, organisation):
    Petition.objects.create(organisation=organisation, slug="draft", title="D", target="T",
                            ask="A")
    for url in ["/api/v1/petitions/draft", "/api/v1/petitions/draft/count",
                "/api/v1/petitions/nope/history"]:
        assert client.get(url).status_code == 404


def test_reads_are_public_cacheable_and_cookie_free(client, signed):
    url = f"/api/v1/petitions/{signed.slug}/count"
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "public" in response["Cache-Control"]
    assert not response.cookies
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_the_schema_and_its_docs_come_from_our_own_origin(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/petitions/{slug}/countries" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    # Our own page, read from the same schema: every endpoint is listed with its method.
    for path in schema["paths"]:
        assert f"</span> {path}</h3>" in docs
    assert '<html lang="en"' in docs and '<main id="main">' in docs
    assert "<script" not in docs.replace('<script src="/static/js/chorus.js" defer></script>', "")


def test_q_searches_like_the_site_every_word_in_the_text_and_translations(client, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Остановите",
                                       ask="Отзовите иск.", body="Суд рассмотрит иск в марте.")
    Petition.objects.create(organisation=petition.organisation, slug="other", title="Other",
                            target="T", ask="A", body="Nothing about courts.").open()

    def found(query: str) -> list[str]:
        items = client.get("/api/v1/petitions", {"q": query}).json()["items"]
        assert [item["identifier"] for item in items] == [
            p.slug for p in petitions_search(query=query, queryset=Petition.objects.visible())
        ]
        return [item["identifier"] for item in items]

    assert found("government close") == ["stop-the-liquidation"]  # words of the body
    assert found("close government") == ["stop-the-liquidation"]
    assert found("суд марте") == ["stop-the-liquidation"]  # only in the translation
    assert found("government courts") == []
    assert found("?!") == []


@pytest.mark.parametrize("query", ["\x00", "a\x00b", "\ufffd", "x" * 500])
def test_odd_searches_are_answered_not_crashed(client, petition, query):
    assert client.get("/api/v1/petitions", {"q": query}).status_code == 200
    assert client.get("/petitions/", {"q": query}).status_code == 200


def test_a_slug_with_a_nul_byte_is_simply_not_found(client, petition):
    assert client.get("/api/v1/petitions/stop%00x").status_code == 404
    assert client.get("/api/v1/petitions/stop%00x/count").status_code == 404
