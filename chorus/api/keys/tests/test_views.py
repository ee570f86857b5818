import pytest
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

from chorus.api.models import ApiKey
from chorus.api.services import api_key_create
from chorus.audit.models import AuditEntry
from chorus.organisers.models import Organisation
from chorus.signatures.models import Signature


@pytest.fixture(autouse=True)
def login_url(settings):
    """Where anonymous visitors are sent; the organisers' login page once it exists."""
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        settings.LOGIN_URL = "/accounts/login/"
        return settings.LOGIN_URL


@pytest.fixture
def keys_url(organisation):
    return reverse("api:keys:list", args=[organisation.slug])


def revoke_url(api_key):
    return reverse("api:keys:revoke", args=[api_key.organisation.slug, api_key.pk])


def sign_with(client, petition, key):
    return client.post(
        f"/api/v1/petitions/{petition.slug}/signatures",
        {"name": "Nadia Petrova", "email": "nadia@example.org", "country": "DE"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_anonymous_visitors_are_sent_to_log_in(client, keys_url, login_url):
    response = client.get(keys_url)
    assert response.status_code == 302 and response.url.startswith(login_url)


def test_a_member_of_another_organisation_gets_not_found(client, keys_url, outsider,
                                                         organisation):
    api_key, _ = api_key_create(organisation=organisation, name="CRM", actor=None)
    client.force_login(outsider)
    assert client.get(keys_url).status_code == 404
    assert client.post(keys_url, {"name": "Mine now"}).status_code == 404
    assert client.post(revoke_url(api_key)).status_code == 404
    assert ApiKey.objects.active().count() == 1


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_viewers_and_editors_are_refused(client, keys_url, organisation, role, request):
    api_key, _ = api_key_create(organisation=organisation, name="CRM", actor=None)
    client.force_login(request.getfixturevalue(role))
    assert client.get(keys_url).status_code == 403
    assert client.post(keys_url, {"name": "Sneaky"}).status_code == 403
    assert client.post(revoke_url(api_key)).status_code == 403
    assert ApiKey.objects.active().count() == 1


def test_an_owner_sees_the_keys_but_never_their_secrets(client, keys_url, organisation,
                                                        owner):
    api_key, secret = api_key_create(organisation=organisation, name="Partner CRM", actor=None)
    client.force_login(owner)
    response = client.get(keys_url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Partner CRM" in page and api_key.prefix in page
    assert secret not in page
    assert "no-store" in response["Cache-Control"]


def test_a_new_key_is_shown_once_and_then_works(client, keys_url, organisation, owner,
                                                 petition):
    client.force_login(owner)
    response = client.post(keys_url, {"name": "Newsletter form"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    api_key = ApiKey.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("chorus_") and secret in response.content.decode()
    assert "will not be shown again" in response.content.decode()
    assert secret not in client.get(keys_url).content.decode()
    assert (api_key.organisation, api_key.name) == (organisation, "Newsletter form")
    entry = AuditEntry.objects.get(action="api_key.create")
    assert entry.actor == owner and secret not in str(entry.details) + entry.target_repr

    assert sign_with(client, petition, secret).status_code == 202
    assert Signature.objects.count() == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Form\x00", "Form\nBcc: x"])
def test_a_bad_name_makes_no_key(client, keys_url, owner, name):
    client.force_login(owner)
    response = client.post(keys_url, {"name": name})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not ApiKey.objects.exists()


def test_a_revoked_key_stops_working(client, organisation, owner, petition):
    api_key, secret = api_key_create(organisation=organisation, name="Old form", actor=None)
    client.force_login(owner)
    response = client.post(revoke_url(api_key), follow=True)
    assert "no longer works" in response.content.decode()
    assert "Revoked on" in response.content.decode()
    assert sign_with(client, petition, secret).status_code == 401
    assert not Signature.objects.exists()
    [entry] = AuditEntry.objects.filter(action="api_key.revoke")
    assert entry.actor == owner
    client.post(revoke_url(api_key))
    assert AuditEntry.objects.filter(action="api_key.revoke").count() == 1


def test_revoking_needs_a_post(client, organisation, owner):
    api_key, _ = api_key_create(organisation=organisation, name="CRM", actor=None)
    client.force_login(owner)
    assert client.get(revoke_url(api_key)).status_code == 405
    assert ApiKey.objects.active().count() == 1


def test_an_owner_cannot_revoke_another_organisations_key(client, organisation, owner):
    other = Organisation.objects.create(name="Other", slug="other")
    theirs, _ = api_key_create(organisation=other, name="Theirs", actor=None)
    client.force_login(owner)
    response = client.post(reverse("api:keys:revoke", args=[organisation.slug, theirs.pk]))
    assert response.status_code == 404
    assert ApiKey.objects.active().count() == 1
