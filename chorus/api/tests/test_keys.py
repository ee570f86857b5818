from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from chorus.api.models import ApiKey
from chorus.audit.models import AuditEntry
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature


@pytest.fixture
def key(organisation):
    return ApiKey.issue(organisation=organisation, name="Partner CRM")[1]


def post(client, slug, key, **data):
    body = {"name": "Nadia Petrova", "email": "nadia@example.org", "country": "DE", **data}
    return client.post(f"/api/v1/petitions/{slug}/signatures", body,
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_key_records_a_pending_signature_and_its_email(
    client, petition, key, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, petition.slug, key, updates=True, source="crm")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    signature = Signature.objects.get()
    assert (signature.state, signature.updates, signature.source, signature.ip_digest) == (
        "pending", True, "crm", "")
    assert mailoutbox[0].to == ["nadia@example.org"]
    entry = AuditEntry.objects.get()
    assert entry.action == "api.signature" and entry.details["outcome"] == "accepted"
    assert "nadia" not in str(entry.details)


def test_a_second_signature_gets_the_same_answer(client, petition, key):
    first = post(client, petition.slug, key)
    again = post(client, petition.slug, key, email="NADIA@example.org")
    assert (first.status_code, first.content) == (again.status_code, again.content)
    assert Signature.objects.count() == 1


def test_bad_input_is_refused_with_the_same_messages(client, petition, key):
    response = post(client, petition.slug, key, email="nope", country="XX")
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["detail"]}
    assert errors == {"email": "Please enter a valid e-mail address, like name@example.org.",
                      "country": "Please choose your country from the list."}
    assert Signature.objects.count() == 0


def test_another_organisations_key_sees_nothing(client, petition):
    other = Organisation.objects.create(name="Other", slug="other")
    _, other_key = ApiKey.issue(organisation=other, name="Theirs")
    assert post(client, petition.slug, other_key).status_code == 404
    assert Signature.objects.count() == 0


def test_revoked_and_unknown_keys_are_refused(client, petition, organisation):
    api_key, key = ApiKey.issue(organisation=organisation, name="Old")
    api_key.revoke()
    for bad in [key, "chorus_not-a-key", ""]:
        assert post(client, petition.slug, bad).status_code == 401
    assert Signature.objects.count() == 0


def test_keys_are_rate_limited(client, petition, key, settings):
    settings.CHORUS_API_KEY_RATE = 2
    statuses = [post(client, petition.slug, key, email=f"n{i}@example.org").status_code
                for i in range(3)]
    assert statuses == [202, 202, 429]
    assert Signature.objects.count() == 2


def test_the_rate_is_one_for_every_server(client, petition, key, settings):
    # Each server process has a cache of its own: clearing it is a request to another one.
    settings.CHORUS_API_KEY_RATE = 2
    statuses = []
    for i in range(3):
        cache.clear()
        statuses.append(post(client, petition.slug, key, email=f"n{i}@example.org").status_code)
    assert statuses == [202, 202, 429]


def test_a_key_that_keeps_trying_still_gets_its_rate_next_minute(client, petition, key,
                                                                 settings, monkeypatch):
    settings.CHORUS_API_KEY_RATE = 2
    start = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: start)
    statuses = [post(client, petition.slug, key, email=f"n{i}@example.org").status_code
                for i in range(5)]
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(seconds=61))
    statuses.append(post(client, petition.slug, key, email="later@example.org").status_code)
    assert statuses == [202, 202, 429, 429, 429, 202]


def test_a_closed_petition_refuses(client, petition, key):
    petition.close()
    Petition.objects.filter(pk=petition.pk)
    assert post(client, petition.slug, key).status_code == 409


def test_only_a_digest_of_the_key_is_stored(organisation):
    api_key, key = ApiKey.issue(organisation=organisation, name="X")
    assert key.startswith("chorus_") and len(key) > 40
    assert key not in str(ApiKey.objects.values_list().get(pk=api_key.pk))


def test_a_body_that_is_not_json_gets_the_documented_400(client, petition, key):
    response = client.post(f"/api/v1/petitions/{petition.slug}/signatures", b'{"name": "Nad',
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400
    assert list(response.json()) == ["detail"] and isinstance(response.json()["detail"], str)
    documented = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/petitions/{slug}/signatures"]["post"]["responses"]["400"]
    assert documented["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    assert not Signature.objects.exists()
