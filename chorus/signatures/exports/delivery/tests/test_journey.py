"""Olga, owner of a big petition, asks for the delivery document, is e-mailed when the
worker has made it, and downloads it; her editor cannot."""

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from chorus.lib.digests import email_digest
from chorus.signatures.models import DeliveryDocument, Signature


# Real commits, so the build is queued in the database as in production and the
# worker (which closes connections) can run it.
@pytest.mark.django_db(transaction=True)
def test_an_owner_gets_a_big_petitions_document_from_the_worker(
        client, petition, owner, editor, mailoutbox, settings):
    settings.CHORUS_DELIVERY_DIRECT_MAX = 2
    for i in range(3):
        email = f"named{i}@example.org"
        Signature.objects.create(petition=petition, name=f"Named Signer {i}", email=email,
                                 email_digest=email_digest(email), country="RU",
                                 show_name=True, state="confirmed", counted=True)
    petition.signature_count = 3
    petition.save()
    client.force_login(owner)
    page = f"/organiser/petitions/{petition.slug}/delivery/"
    assert client.post(page).status_code == 302
    assert "Being prepared…" in client.get(page).content.decode()
    assert mailoutbox == []  # the request only queued it

    # Once for the build, once for the e-mail it queued.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert DeliveryDocument.objects.get().state == "ready"
    [email] = mailoutbox
    link = re.search(r"https?://\S+(/organiser/\S+/delivery/)", email.body).group(1)
    assert link == page
    assert "Ready:" in client.get(link).content.decode()
    response = client.get(f"/organiser/petitions/{petition.slug}/delivery.pdf")
    pdf = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert "Named Signer 2 · Russia" in pdf.pages[-1].extract_text()
    assert f"Page 2 of {len(pdf.pages)}" in pdf.pages[1].extract_text()

    client.force_login(editor)
    assert client.get(f"/organiser/petitions/{petition.slug}/delivery.pdf").status_code == 403
