"""Inviting, accepting and removing partners through the owner's and the partner's pages."""

import datetime
import re
import time

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.organisers.models import Organisation
from chorus.petitions.models import Partner, PartnerConsent
from chorus.petitions.partners import tokens
from chorus.testing import make_member


def invitation_link(client, owner, petition) -> str:
    client.force_login(owner)
    response = client.post(reverse("petitions:partners:invite", args=[petition.slug]))
    assert response.status_code == 200
    return re.search(r'value="http://testserver(/organiser/partner-invitations/[^"]+)"',
                     response.content.decode()).group(1)


@pytest.fixture
def newcomer(db):
    """An owner of an organisation that is not yet on the petition."""
    organisation = Organisation.objects.create(name="Pride Houses", slug="pride-houses")
    return make_member(organisation, "nina.newcomer@example.org", "owner")


def test_an_owner_invites_and_another_organisations_owner_accepts(
    client, owner, petition, newcomer
):
    link = invitation_link(client, owner, petition)
    client.force_login(newcomer)
    page = client.get(link)
    assert page.status_code == 200
    assert "Pride Houses" in page.content.decode()

    organisation = Organisation.objects.get(slug="pride-houses")
    response = client.post(link, {"organisation": organisation.pk})

    partner = Partner.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:partners:detail",
                                           args=[petition.slug, partner.pk])
    assert (partner.petition, partner.source, partner.accepted_by) == (
        petition, "pride-houses", newcomer)
    assert partner.secret_digest == ""
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"partner.invite", "partner.accept"} <= actions


def test_the_link_is_shown_once_and_only_a_digest_is_kept(client, owner, petition):
    link = invitation_link(client, owner, petition)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Partner.objects.get()
    _partner_id, secret = tokens.invitation_from_token(token)
    assert secret not in invitation.secret_digest
    page = client.get(reverse("petitions:partners:list", args=[petition.slug]))
    assert token not in page.content.decode()


def test_an_invitation_works_once(client, owner, petition, newcomer, outsider):
    link = invitation_link(client, owner, petition)
    client.force_login(newcomer)
    client.post(link, {"organisation": Organisation.objects.get(slug="pride-houses").pk})
    client.force_login(outsider)
    assert client.get(link).status_code == 404
    assert Partner.objects.count() == 1


def test_a_revoked_invitation_no_longer_works(client, owner, petition, newcomer):
    link = invitation_link(client, owner, petition)
    invitation = Partner.objects.get()
    client.post(reverse("petitions:partners:revoke", args=[petition.slug, invitation.pk]))
    client.force_login(newcomer)
    response = client.post(link, {"organisation": Organisation.objects.get(
        slug="pride-houses").pk})
    assert response.status_code == 404
    assert "no longer works" in response.content.decode()
    assert not Partner.objects.exists()


def test_an_expired_invitation_no_longer_works(client, owner, petition, newcomer, monkeypatch):
    eight_days_ago = time.time() - 8 * 24 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(tokens._signer, "timestamp",
                        lambda: signing.b62_encode(int(eight_days_ago)))
        link = invitation_link(client, owner, petition)
    client.force_login(newcomer)
    assert client.get(link).status_code == 404


def test_an_invitation_older_than_a_week_is_no_longer_waiting(client, owner, petition, newcomer):
    link = invitation_link(client, owner, petition)
    Partner.objects.update(invited_at=timezone.now() - datetime.timedelta(days=8))
    client.force_login(newcomer)
    assert client.get(link).status_code == 404


@pytest.mark.parametrize("token", ["forged", "1.abc:1tZ:bad", "%00", "a" * 5000])
def test_a_forged_token_is_refused_plainly(client, newcomer, token):
    client.force_login(newcomer)
    response = client.get(f"/organiser/partner-invitations/{token}/")
    assert response.status_code == 404
    assert "no longer works" in response.content.decode()


def test_a_token_for_another_invitation_with_the_right_signature_is_refused(
    client, owner, petition, newcomer
):
    invitation_link(client, owner, petition)
    invitation = Partner.objects.get()
    client.force_login(newcomer)
    response = client.get(reverse("petitions:partners:accept",
                                  args=[tokens.invitation_token(invitation.pk, "guessed")]))
    assert response.status_code == 404


def test_an_editor_of_another_organisation_cannot_accept(client, owner, petition):
    other = Organisation.objects.create(name="Quiet Group", slug="quiet-group")
    editor = make_member(other, "eve.editor@example.org", "editor")
    link = invitation_link(client, owner, petition)
    client.force_login(editor)
    response = client.post(link, {"organisation": other.pk})
    assert response.status_code == 400
    assert not Partner.objects.active().exists()


def test_the_petitions_own_organisation_cannot_become_its_partner(
    client, owner, organisation, petition
):
    link = invitation_link(client, owner, petition)
    response = client.post(link, {"organisation": organisation.pk})
    assert response.status_code == 400
    assert not Partner.objects.active().exists()


def test_an_organisation_is_a_partner_once(client, owner, petition, partner_owner):
    link = invitation_link(client, owner, petition)
    client.force_login(partner_owner)
    response = client.post(link, {"organisation": partner_owner.partner.organisation_id})
    assert response.status_code == 400
    assert Partner.objects.active().count() == 1


def test_accepting_takes_a_free_source_code(client, owner, petition, newcomer):
    Partner.objects.create(petition=petition, source="pride-houses",
                           organisation=Organisation.objects.create(name="X", slug="x"),
                           accepted_at=timezone.now())
    link = invitation_link(client, owner, petition)
    client.force_login(newcomer)
    client.post(link, {"organisation": Organisation.objects.get(slug="pride-houses").pk})
    assert Partner.objects.get(organisation__slug="pride-houses").source == "pride-houses-2"


def test_a_nul_byte_in_the_accept_form_is_refused(client, owner, petition, newcomer):
    link = invitation_link(client, owner, petition)
    client.force_login(newcomer)
    response = client.post(link, {"organisation": "1\x00"})
    assert response.status_code == 400
    assert not Partner.objects.active().exists()


def test_removing_a_partner_asks_first_then_removes_it(client, owner, petition, partner_owner):
    partner = partner_owner.partner
    client.force_login(owner)
    url = reverse("petitions:partners:remove", args=[petition.slug, partner.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 400  # without the button's confirm
    assert Partner.objects.filter(pk=partner.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert AuditEntry.objects.filter(action="partner.remove").exists()


def test_the_owner_chooses_the_consent_mode(client, owner, petition):
    client.force_login(owner)
    url = reverse("petitions:partners:consent", args=[petition.slug])
    assert client.post(url, {"partner_consent": "every"}).status_code == 302
    petition.refresh_from_db()
    assert petition.partner_consent == PartnerConsent.EVERY
    for bad in ["sometimes", "every\x00", ""]:
        response = client.post(url, {"partner_consent": bad})
        assert response.status_code == 400
        assert "Choose" in response.content.decode()
    petition.refresh_from_db()
    assert petition.partner_consent == PartnerConsent.EVERY


def test_the_partner_page_gives_its_link_and_embed_with_its_code(client, partner_owner, petition):
    client.force_login(partner_owner)
    page = client.get(reverse("petitions:partners:detail",
                              args=[petition.slug, partner_owner.partner.pk])).content.decode()
    assert f"/petitions/{petition.slug}/?source=rainbow-network" in page
    assert f"/petitions/{petition.slug}/embed/?source=rainbow-network" in page
    assert "signers.csv" in page


def test_the_partner_page_never_names_a_signer(client, partner_owner, petition, signer):
    client.post(f"/petitions/{petition.slug}/sign/",
                {**signer, "source": "rainbow-network", "partner_updates": "rainbow-network"})
    client.force_login(partner_owner)
    page = client.get(reverse("petitions:partners:detail",
                              args=[petition.slug, partner_owner.partner.pk])).content.decode()
    assert signer["name"] not in page and signer["email"] not in page
