"""A petition the moderators took down: every public address of it answers 410 Gone with one
neutral notice, nobody can sign it, it leaves every list, and a restore brings it all back."""

import pytest
from django.urls import reverse

from chorus.api.models import ApiKey
from chorus.lib.digests import email_digest
from chorus.moderation.services import petition_restore, petition_take_down
from chorus.petitions.models import Petition, RejectionReason
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature

NOTICE = "This petition was removed by the moderators."
NOTE = "It names the witness who lives at 12 Lenin Street."


@pytest.fixture
def signed(petition):
    Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S{i}", email=f"a{i}@example.org",
                  email_digest=email_digest(f"a{i}@example.org"), country="DE",
                  state="confirmed")
        for i in range(7)
    )
    signatures_count()
    return Petition.objects.get(pk=petition.pk)


def take_down(petition, moderator, *, publish_reason=False):
    return petition_take_down(
        petition=petition, moderator=moderator, note=NOTE, publish_reason=publish_reason,
        reason=RejectionReason.objects.get(code="personal-data"),
    )


def public_addresses(slug):
    return {
        "page": f"/petitions/{slug}/",
        "embed": f"/petitions/{slug}/embed/",
        "history": f"/petitions/{slug}/history/",
        "changes": reverse("petitions:changes", args=[slug]),
        "thanks": f"/petitions/{slug}/thanks/",
        "count.json": f"/petitions/{slug}/count.json",
        "history.json": f"/petitions/{slug}/history.json",
        "countries.json": f"/petitions/{slug}/countries.json",
        "map.png": f"/petitions/{slug}/map.png",
        "api": f"/api/v1/petitions/{slug}",
        "api count": f"/api/v1/petitions/{slug}/count",
        "api history": f"/api/v1/petitions/{slug}/history",
        "api countries": f"/api/v1/petitions/{slug}/countries",
        "api updates": f"/api/v1/petitions/{slug}/updates",
        "api milestones": f"/api/v1/petitions/{slug}/milestones",
    }


ADDRESSES = list(public_addresses("x"))
JSON = {name for name in ADDRESSES if name.startswith("api") or name.endswith(".json")}


@pytest.mark.parametrize("name", ADDRESSES)
def test_every_public_address_answers_gone_with_the_neutral_notice(client, signed, moderator,
                                                                   name):
    client.get(public_addresses(signed.slug)[name])  # cached while it was public
    take_down(signed, moderator)
    response = client.get(public_addresses(signed.slug)[name])
    assert response.status_code == 410
    if name in JSON:
        assert response.json() == {"detail": NOTICE, "reason": None}
    else:
        assert NOTICE in response.text
    assert signed.title not in response.text and "Lenin" not in response.text


@pytest.mark.parametrize("name", ["page", "embed", "count.json", "api"])
def test_the_reason_is_shown_only_when_the_moderator_publishes_it(client, signed, moderator,
                                                                  name):
    take_down(signed, moderator, publish_reason=True)
    response = client.get(public_addresses(signed.slug)[name])
    assert response.status_code == 410
    reason = "Names or identifies private people"
    if name in JSON:
        assert response.json()["reason"] == reason
    else:
        assert reason in response.text
    assert "Lenin" not in response.text


def test_the_embedded_notice_can_be_shown_in_a_partner_s_frame(client, signed, moderator):
    take_down(signed, moderator)
    response = client.get(f"/petitions/{signed.slug}/embed/")
    assert response.status_code == 410
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_the_json_notice_can_be_read_by_partner_sites(client, signed, moderator):
    take_down(signed, moderator)
    for address in (f"/petitions/{signed.slug}/count.json", f"/api/v1/petitions/{signed.slug}"):
        assert client.get(address)["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("name", ["page", "embed", "count.json", "api", "api count"])
def test_an_unknown_petition_is_still_not_found(client, db, name):
    assert client.get(public_addresses("no-such-petition")[name]).status_code == 404


@pytest.mark.parametrize("address", ["/petitions/{slug}/sign/", "/petitions/{slug}/embed/sign/"])
def test_signing_is_refused_at_once_and_stores_nothing(client, signed, moderator, signer,
                                                       address):
    client.get(f"/petitions/{signed.slug}/")  # the row is cached while it was public
    take_down(signed, moderator)
    response = client.post(address.format(slug=signed.slug), signer)
    assert response.status_code == 410
    assert NOTICE in response.text
    assert not Signature.objects.filter(email_digest=email_digest(signer["email"])).exists()


def test_a_signature_through_the_api_is_refused_and_stores_nothing(client, signed, moderator):
    key = ApiKey.issue(organisation=signed.organisation, name="Partner CRM")[1]
    take_down(signed, moderator)
    response = client.post(
        f"/api/v1/petitions/{signed.slug}/signatures",
        {"name": "Nadia Petrova", "email": "nadia@example.org", "country": "DE"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 410
    assert response.json()["detail"] == NOTICE
    assert Signature.objects.count() == 7


def listed(client, petition) -> dict:
    organisation_page = reverse("petitions:organisation", args=[petition.organisation.slug])
    api_list = client.get("/api/v1/petitions").json()["items"]
    return {
        "home": petition.title in client.get("/").text,
        "list": petition.title in client.get("/petitions/").text,
        "search": petition.title in client.get("/petitions/", {"q": "lawsuit"}).text,
        "organisation": petition.title in client.get(organisation_page).text,
        "api list": petition.slug in [item["identifier"] for item in api_list],
        "api search": client.get("/api/v1/petitions", {"q": "lawsuit"}).json()["count"] == 1,
    }


def test_it_leaves_the_home_page_the_list_search_and_the_api_list(client, signed, moderator):
    assert all(listed(client, signed).values())
    take_down(signed, moderator)
    assert not any(listed(client, signed).values())


def test_a_restore_brings_everything_back_with_the_same_count(client, signed, moderator, signer):
    take_down(signed, moderator, publish_reason=True)
    signatures_count()  # the counter keeps running while it is down
    petition_restore(petition=signed, moderator=moderator)
    assert client.get(f"/petitions/{signed.slug}/").status_code == 200
    assert client.get(f"/petitions/{signed.slug}/embed/").status_code == 200
    assert client.get(f"/petitions/{signed.slug}/count.json").json()["signature_count"] == 7
    assert client.get(f"/api/v1/petitions/{signed.slug}/count").json()["total_signatures"] == 7
    assert all(listed(client, signed).values())
    assert client.post(f"/petitions/{signed.slug}/sign/", signer).status_code == 302
