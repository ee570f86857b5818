"""The organisation key page: owners only, public keys only."""

import pytest
from django.urls import reverse
from pyrage import x25519

from chorus.audit.models import AuditEntry
from chorus.organisers.models import OrganisationKey


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
