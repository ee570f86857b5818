"""The organisation key page: owners only, public keys only."""

import pytest
from django.urls import reverse
from pyrage import x25519

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.organisers.models import OrganisationKey
from chorus.signatures import tokens
from chorus.signatures.models import Signature
from chorus.signatures.sealing.services import organisation_key_register
from chorus.signatures.services import signature_confirm, signature_create


@pytest.fixture
def url(organisation):
    return reverse("signatures:sealing:keys", args=[organisation.slug])


def test_an_owner_registers_a_public_key(client, owner, url, organisation):
    client.force_login(owner)
    page = client.get(url)
    assert page.status_code == 200
    assert b"age-keygen" in page.content
    assert b"js/organisation-key.js" in page.content
    recipient = str(x25519.Identity.generate().to_public())
    response = client.post(url, {"recipient": recipient, "label": "Board laptop"})
    assert response.status_code == 302
    key = OrganisationKey.objects.get()
    assert (key.organisation, key.recipient, key.label) == (organisation, recipient,
                                                            "Board laptop")
    assert AuditEntry.objects.filter(action="organisation.key_register").exists()
    assert key.fingerprint.encode() in client.get(url).content


def test_a_private_key_is_refused_and_not_stored(client, owner, url):
    client.force_login(owner)
    response = client.post(url, {"recipient": str(x25519.Identity.generate())})
    assert response.status_code == 400
    assert "This is a private key" in response.content.decode()
    assert not OrganisationKey.objects.exists()
    assert b"AGE-SECRET-KEY" not in response.content


@pytest.mark.parametrize("text", ["", "age1notakey", "ssh-ed25519 AAAA"])
def test_anything_but_an_age_public_key_is_refused(client, owner, url, text):
    client.force_login(owner)
    assert client.post(url, {"recipient": text}).status_code == 400
    assert not OrganisationKey.objects.exists()


def test_editors_may_not_touch_the_key(client, editor, url):
    client.force_login(editor)
    assert client.get(url).status_code == 403
    recipient = str(x25519.Identity.generate().to_public())
    assert client.post(url, {"recipient": recipient}).status_code == 403
    assert not OrganisationKey.objects.exists()


def test_with_a_key_the_exports_come_sealed(client, owner, petition, url):
    client.force_login(owner)
    client.post(url, {"recipient": str(x25519.Identity.generate().to_public())})
    csv = client.get(reverse("signatures:exports:csv", args=[petition.slug]))
    assert csv["Content-Disposition"].endswith('signatures.csv.age"')
    assert b"".join(csv.streaming_content).startswith(b"age-encryption.org/v1")
    pdf = client.get(reverse("signatures:exports:delivery", args=[petition.slug]))
    assert pdf["Content-Disposition"].endswith('delivery.pdf.age"')
    assert "no-store" in pdf["Cache-Control"]


def test_the_signers_page_and_download_say_what_is_readable_and_what_is_sealed(
    client, owner, petition
):
    from_key = str(x25519.Identity.generate().to_public())
    organisation_key_register(organisation=petition.organisation, recipient=from_key,
                              actor=owner)
    for email, updates in (("quiet@example.org", False), ("news@example.org", True)):
        signature_create(petition_id=petition.pk, name="Nadia", email=email, country="DE",
                         updates=updates)
        signature = Signature.objects.get(email_digest=email_digest(email))
        signature_confirm(signature=signature)
        manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
        page = client.get(manage).content.decode()
        assert "sealed to a key that only Spectrum Alliance holds" in page
        if updates:
            assert "keeps your address readable" in page
        else:
            assert "no longer has your e-mail address" in page
        data = client.get(manage + "my-signature.json").json()
        assert data["name"] == "" and data["postcode"] == ""
        assert data["email"] == (email if updates else "")
        assert data["sealed"]["fields"] == ["name", "email", "postcode", "country"]
        assert data["sealed"]["value"] == signature.sealed


def test_staff_see_an_organisations_keys_in_the_admin_but_cannot_change_them(
    client, django_user_model, owner, organisation
):
    recipient = str(x25519.Identity.generate().to_public())
    key = organisation_key_register(organisation=organisation, recipient=recipient, actor=owner)
    staff = django_user_model.objects.create_superuser("mira", "mira@example.org", "pw-1234567")
    client.force_login(staff)
    page = client.get(f"/admin/organisers/organisation/{organisation.pk}/change/")
    assert page.status_code == 200
    assert key.fingerprint in page.content.decode()
    assert 'name="keys-0-recipient"' not in page.content.decode()
