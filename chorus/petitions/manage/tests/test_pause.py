"""Stop collecting: signing paused and resumed on an open petition, which stays public."""

import datetime

import pytest
from django.utils import timezone

from chorus.api.models import ApiKey
from chorus.audit.models import AuditEntry
from chorus.petitions.closing import petitions_close_due
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

PAUSED = "Signing is paused for now"


@pytest.fixture
def paused(post, client, petition, editor):
    client.force_login(editor)
    response = post(f"/organiser/petitions/{petition.slug}/pause/")
    assert response.status_code == 302
    client.logout()
    petition.refresh_from_db()
    return petition


def test_the_pause_asks_first_on_a_page_that_needs_no_javascript(client, petition, editor):
    client.force_login(editor)
    response = client.get(f"/organiser/petitions/{petition.slug}/pause/")
    assert response.status_code == 200
    assert b'<form method="post"' in response.content
    assert b"<script" not in response.content.split(b"<main")[-1].split(b"</main>")[0]
    petition.refresh_from_db()
    assert not petition.is_paused


def test_pausing_is_audited_and_keeps_the_petition_open(paused):
    assert paused.state == Petition.State.OPEN and paused.is_paused
    assert not paused.is_signable and paused.is_public
    assert AuditEntry.objects.filter(action="petition.pause").count() == 1
    assert not Petition.objects.signable().filter(pk=paused.pk).exists()
    assert Petition.objects.visible().filter(pk=paused.pk).exists()


def test_the_page_and_embed_stay_public_with_the_message_instead_of_the_form(client, paused):
    page = client.get(f"/petitions/{paused.slug}/")
    assert page.status_code == 200
    assert PAUSED in page.content.decode() and 'name="email"' not in page.content.decode()
    assert "public" in page["Cache-Control"]
    embed = client.get(f"/petitions/{paused.slug}/embed/")
    assert PAUSED in embed.content.decode() and 'name="email"' not in embed.content.decode()
    assert client.get(f"/petitions/{paused.slug}/count.json").status_code == 200
    assert client.get(f"/petitions/{paused.slug}/history/").status_code == 200


def test_signing_is_refused_with_the_message_and_stores_nothing(client, paused, signer):
    response = client.post(f"/petitions/{paused.slug}/sign/", signer)
    assert response.status_code == 409 and PAUSED in response.content.decode()
    response = client.post(f"/petitions/{paused.slug}/embed/sign/", signer,
                           HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 409 and PAUSED in response.content.decode()
    assert not Signature.objects.exists()


def test_the_api_refuses_signatures_with_the_message(client, paused, organisation):
    key = ApiKey.issue(organisation=organisation, name="CRM")[1]
    response = client.post(
        f"/api/v1/petitions/{paused.slug}/signatures",
        {"name": "Nadia", "email": "nadia@example.org", "country": "DE"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 409
    assert response.json() == {"detail": "Signing is paused for now."}
    assert not Signature.objects.exists()
    assert client.get(f"/api/v1/petitions/{paused.slug}").json()["paused"] is True
    assert client.get(f"/api/v1/petitions/{paused.slug}/count").json()["paused"] is True


def test_a_pause_shows_at_once_even_with_the_page_cached(client, petition, editor, post):
    assert 'name="email"' in client.get(f"/petitions/{petition.slug}/").content.decode()
    client.force_login(editor)
    post(f"/organiser/petitions/{petition.slug}/pause/")
    client.logout()
    assert PAUSED in client.get(f"/petitions/{petition.slug}/").content.decode()
    client.force_login(editor)
    post(f"/organiser/petitions/{petition.slug}/resume/")
    client.logout()
    assert 'name="email"' in client.get(f"/petitions/{petition.slug}/").content.decode()


def test_resuming_brings_signing_back(client, paused, editor, post, signer):
    client.force_login(editor)
    assert client.get(f"/organiser/petitions/{paused.slug}/resume/").status_code == 200
    assert post(f"/organiser/petitions/{paused.slug}/resume/").status_code == 302
    client.logout()
    assert client.post(f"/petitions/{paused.slug}/sign/", signer).status_code == 302
    assert Signature.objects.count() == 1
    assert AuditEntry.objects.filter(action="petition.resume").count() == 1
    assert client.get(f"/api/v1/petitions/{paused.slug}").json()["paused"] is False


def test_a_viewer_cannot_pause(client, petition, viewer, post):
    client.force_login(viewer)
    assert post(f"/organiser/petitions/{petition.slug}/pause/").status_code == 403
    petition.refresh_from_db()
    assert not petition.is_paused


def test_a_paused_petition_still_closes_at_its_closing_date(paused):
    Petition.objects.filter(pk=paused.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1))
    assert [petition.pk for petition in petitions_close_due()] == [paused.pk]
    paused.refresh_from_db()
    assert paused.state == Petition.State.CLOSED and not paused.is_paused


def test_a_closed_or_scheduled_petition_cannot_be_paused(client, petition, editor, post,
                                                         organisation):
    petition.close()
    client.force_login(editor)
    post(f"/organiser/petitions/{petition.slug}/pause/")
    petition.refresh_from_db()
    assert not petition.is_paused
    scheduled = Petition.objects.create(
        organisation=organisation, slug="later", title="Later", target="T", ask="A.",
        opens_at=timezone.now() + datetime.timedelta(hours=1))
    scheduled.open()
    post(f"/organiser/petitions/{scheduled.slug}/pause/")
    scheduled.refresh_from_db()
    assert not scheduled.is_paused
    assert not AuditEntry.objects.filter(action="petition.pause").exists()


def test_a_paused_petition_is_still_open_to_the_counter_and_the_log(paused):
    assert Petition.objects.open_now().filter(pk=paused.pk).exists()
    assert not Petition.objects.signable().filter(pk=paused.pk).exists()
