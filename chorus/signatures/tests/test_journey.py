"""Nadia signs a petition, confirms by e-mail, and sees the count go up."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command


# Real commits, so the confirmation task is queued as in production and the
# database worker (which closes connections) can run in the test.
@pytest.mark.django_db(transaction=True)
def test_a_signer_signs_confirms_and_is_counted(client, petition, signer, mailoutbox):
    page = client.get(f"/petitions/{petition.slug}/")
    assert page.status_code == 200
    assert b'action="/petitions/stop-the-liquidation/sign/"' in page.content
    before = client.get(f"/petitions/{petition.slug}/count.json").json()["signature_count"]

    response = client.post(f"/petitions/{petition.slug}/sign/", signer)
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "check your e-mail" in thanks.content.decode().lower()

    # The e-mail is sent by the background worker, not by the request.
    assert mailoutbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [signer["email"]]
    assert petition.title in email.subject
    html = email.alternatives[0].content
    link = re.search(r"http://[^/\s]+(/confirm/[^/\s]+/)", email.body).group(1)
    assert link in html

    # Opening the link does not confirm: only the button does.
    button_page = client.get(link)
    assert b"Confirm my signature" in button_page.content
    call_command("countsignatures", verbosity=0)
    assert client.get(f"/petitions/{petition.slug}/count.json").json()["signature_count"] == before

    confirmed = client.post(link)
    assert b"your signature is confirmed" in confirmed.content

    call_command("countsignatures", verbosity=0)
    cache.clear()  # what a visitor sees once the short count cache expires
    after = client.get(f"/petitions/{petition.slug}/count.json").json()["signature_count"]
    assert after == before + 1
    assert b"<strong>1</strong>" in client.get(f"/petitions/{petition.slug}/").content
