import re

import pytest
from django.db.models import Count

from chorus.petitions.models import Petition
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.tokens import confirmation_token, manage_token


@pytest.fixture
def signed(client, petition, signer, mailoutbox, immediate_tasks,
           django_capture_on_commit_callbacks):
    """Nadia has signed and confirmed; returns her manage link from the e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/petitions/{petition.slug}/sign/", signer)
    body = mailoutbox[0].body
    confirm = re.search(r"http://[^/\s]+(/confirm/\S+/)", body).group(1)
    client.post(confirm)
    signatures_count()
    return re.search(r"http://[^/\s]+(/signature/\S+/)", body).group(1)


def count(petition):
    return Petition.objects.get(pk=petition.pk).signature_count


def country_totals(petition):
    return dict(
        Signature.objects.filter(petition=petition, state="confirmed")
        .values_list("country").annotate(n=Count("id"))
    )


def test_the_email_link_shows_what_is_stored_with_the_address_masked(client, signed, signer):
    page = client.get(signed).content.decode()
    assert "Nadia Petrova" in page and "Germany" in page and "10115" in page
    assert "na•••@example.org" in page
    assert signer["email"] not in page
    assert "Withdraw my signature" in page and "Erase everything" in page


def test_the_signer_can_download_everything_stored(client, signed, signer):
    response = client.get(f"{signed}my-signature.json")
    assert response["Content-Disposition"] == 'attachment; filename="my-signature.json"'
    data = response.json()
    assert (data["email"], data["name"], data["country"], data["postcode"]) == (
        signer["email"], "Nadia Petrova", "DE", "10115")
    assert data["state"] == "confirmed" and data["updates"] is True


def test_withdrawing_leaves_the_count_at_the_next_counter_run(client, signed, petition):
    assert count(petition) == 1
    response = client.post(f"{signed}withdraw/", {"confirm": "1"})
    assert response.status_code == 302
    assert count(petition) == 1  # the petition row is only ever updated by the counter
    signatures_count()
    assert count(petition) == 0
    signature = Signature.objects.get()
    assert signature.state == "withdrawn" and signature.updates is False
    assert "Withdrawn by the signer" in client.get(signed).content.decode()


def test_withdrawing_needs_a_tick_first(client, signed, petition):
    refused = client.post(f"{signed}withdraw/")
    assert refused.status_code == 400
    assert "Tick the box to confirm that you want to withdraw" in refused.content.decode()
    assert Signature.objects.get().state == "confirmed"


def test_erasing_needs_a_tick_and_then_removes_every_personal_field(client, signed, petition):
    refused = client.post(f"{signed}erase/")
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    assert Signature.objects.get().name == "Nadia Petrova"

    assert client.post(f"{signed}erase/", {"confirm": "1"}).status_code == 302
    signature = Signature.objects.get()
    assert (signature.name, signature.email, signature.postcode, signature.ip_digest,
            signature.country, signature.source) == ("", "", "", "", "", "")
    assert signature.state == "erased"
    assert "10115" not in str(Signature.objects.values_list().get())
    signatures_count()
    assert count(petition) == 0
    assert country_totals(petition) == {}
    assert "has been erased" in client.get(signed).content.decode()
    assert client.get(f"{signed}my-signature.json").status_code == 404


def test_an_erased_address_may_sign_again(client, signed, petition, signer):
    client.post(f"{signed}erase/", {"confirm": "1"})
    client.post(f"/petitions/{petition.slug}/sign/", signer)
    assert Signature.objects.filter(state="pending").count() == 1


def test_the_link_is_single_purpose_and_reaches_no_one_else(client, signed, petition):
    mine = Signature.objects.get()
    other = Signature.objects.create(
        petition=petition, name="Ivan", email="ivan@example.org", email_digest="i" * 64,
        country="GE",
    )
    token = signed.strip("/").split("/")[-1]
    forged = f"{other.pk}:{token.split(':', 1)[1]}"
    for bad in [forged, confirmation_token(mine.pk), "nonsense", token[:-1]]:
        assert client.get(f"/signature/{bad}/").status_code == 404, bad
        assert client.post(f"/signature/{bad}/erase/", {"confirm": "1"}).status_code == 404
    # And a manage token confirms nothing.
    assert client.post(f"/confirm/{manage_token(other.pk)}/").status_code == 404
    other.refresh_from_db()
    assert (other.state, other.name) == ("pending", "Ivan")


def test_count_only_keeps_just_the_country_and_digest(
    client, petition, signer, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    Petition.objects.filter(pk=petition.pk).update(count_only=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/petitions/{petition.slug}/sign/", {**signer, "updates": ""})
        client.post(f"/petitions/{petition.slug}/sign/",
                    {**signer, "email": "wants@example.org", "updates": "on"})
    for message in mailoutbox:
        client.post(re.search(r"http://[^/\s]+(/confirm/\S+/)", message.body).group(1))
    anonymous = Signature.objects.get(email_digest__isnull=False, updates=False)
    assert (anonymous.name, anonymous.email, anonymous.postcode, anonymous.ip_digest) == (
        "", "", "", "")
    assert anonymous.country == "DE" and anonymous.state == "confirmed"
    assert len(anonymous.email_digest) == 64  # still recognised if it signs again
    kept = Signature.objects.get(updates=True)
    assert kept.email == "wants@example.org" and kept.name == "Nadia Petrova"
    signatures_count()
    assert count(petition) == 2


def test_discreet_email_names_nothing(
    client, petition, signer, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    Petition.objects.filter(pk=petition.pk).update(discreet_email=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/petitions/{petition.slug}/sign/", signer)
    [message] = mailoutbox
    assert message.subject == "Please confirm your action"
    assert message.from_email.startswith("Confirmation <")
    for text in [message.body, message.alternatives[0].content]:
        assert petition.title not in text and "petition" not in text.lower()
        assert "/confirm/" in text and "/signature/" in text
