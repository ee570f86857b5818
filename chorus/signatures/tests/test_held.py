"""Held signatures: answered like accepted ones, not counted, released by moderators."""

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.signatures import services
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.tasks import send_due_confirmations
from chorus.signatures.tokens import confirmation_token, manage_token


def sign(client, petition, data, **extra):
    return client.post(f"/petitions/{petition.slug}/sign/", data, **extra)


def held_signature(petition, email="held@example.org", reason="ip-limit"):
    services.signature_create(petition_id=petition.pk, name="Held Signer", email=email,
                              country="DE", held_reason=reason)
    return Signature.objects.get(email_digest=email_digest(email))


def test_a_held_signature_gets_exactly_the_response_of_an_accepted_one(
    client, petition, signer, settings
):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 1
    accepted = sign(client, petition, signer)
    held = sign(client, petition, {**signer, "email": "other@example.org"})
    assert list(petition.signatures.values_list("state", flat=True).order_by("pk")) == [
        "pending", "held"]
    assert (held.status_code, held["Location"], held.content, sorted(held.cookies)) == (
        accepted.status_code, accepted["Location"], accepted.content, sorted(accepted.cookies))
    assert sorted(held.headers.items()) == sorted(accepted.headers.items())


def test_a_held_signature_gets_the_same_confirmation_email(
    petition, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held_signature(petition)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["held@example.org"]


def test_a_duplicate_of_a_held_signature_is_resent_like_a_pending_one(petition, settings):
    held = held_signature(petition)
    services.signature_create(petition_id=petition.pk, name="Again", email="held@example.org",
                              country="DE")
    held.refresh_from_db()
    assert (held.state, held.confirmation_sends, held.confirmation_due) == ("held", 2, True)


def test_a_held_signer_who_confirmed_and_signs_again_is_told_like_a_confirmed_one(
    petition, mailoutbox
):
    held = held_signature(petition)
    send_due_confirmations.call()
    held.confirm()
    services.signature_create(petition_id=petition.pk, name="Again", email="held@example.org",
                              country="DE")
    send_due_confirmations.call()
    held.refresh_from_db()
    assert held.state == Signature.State.HELD
    assert [m.subject for m in mailoutbox] == [
        "Please confirm your signature: Stop the lawsuit",
        "You have already signed “Stop the lawsuit”",
    ]


def test_confirming_a_held_signature_shows_confirmed_but_keeps_it_held(client, petition):
    held = held_signature(petition)
    response = client.post(f"/confirm/{confirmation_token(held.pk)}/")
    held.refresh_from_db()
    assert held.state == Signature.State.HELD and held.confirmed_at is not None
    assert held.confirmed_by_signer
    assert response.templates[0].name == "signatures/confirmed.html"


def test_a_held_confirmed_signature_is_not_counted(petition):
    held = held_signature(petition)
    held.confirm()
    signatures_count()
    petition.refresh_from_db()
    assert petition.signature_count == 0


def test_a_released_confirmed_signature_counts(petition, moderator):
    held = held_signature(petition)
    held.confirm()
    assert services.signatures_release(signature_ids=[held.pk], moderator=moderator) == 1
    signatures_count()
    petition.refresh_from_db()
    held.refresh_from_db()
    assert petition.signature_count == 1
    assert (held.state, held.held_reason) == ("confirmed", "")
    entry = AuditEntry.objects.get(action="signatures.release")
    assert entry.details["released"] == 1 and entry.details["confirmed"] == 1


def test_a_released_unconfirmed_signature_waits_for_its_link(client, petition, moderator):
    held = held_signature(petition)
    services.signatures_release(signature_ids=[held.pk], moderator=moderator)
    held.refresh_from_db()
    assert held.state == "pending"
    client.post(f"/confirm/{confirmation_token(held.pk)}/")
    signatures_count()
    petition.refresh_from_db()
    assert petition.signature_count == 1


def test_rejecting_held_signatures_invalidates_them_and_is_audited(petition, moderator):
    held = held_signature(petition)
    held.confirm()
    assert services.signatures_reject_held(signature_ids=[held.pk], moderator=moderator) == 1
    signatures_count()
    petition.refresh_from_db()
    held.refresh_from_db()
    assert (held.state, petition.signature_count) == ("invalidated", 0)
    assert AuditEntry.objects.filter(action="signatures.reject_held").count() == 1


def test_release_leaves_signatures_that_are_not_held_alone(petition, moderator):
    services.signature_create(petition_id=petition.pk, name="Plain", email="p@example.org",
                              country="DE")
    plain = Signature.objects.get()
    assert services.signatures_release(signature_ids=[plain.pk], moderator=moderator) == 0
    assert services.signatures_reject_held(signature_ids=[plain.pk], moderator=moderator) == 0
    plain.refresh_from_db()
    assert plain.state == "pending"
    assert not AuditEntry.objects.exists()


def test_a_held_signer_can_withdraw_and_erase(client, petition):
    held = held_signature(petition)
    client.post(f"/signature/{manage_token(held.pk)}/withdraw/", {"confirm": "1"})
    held.refresh_from_db()
    assert held.state == "withdrawn"
    other = held_signature(petition, email="other@example.org")
    client.post(f"/signature/{manage_token(other.pk)}/erase/", {"confirm": "on"})
    other.refresh_from_db()
    assert other.state == "erased" and other.email == ""


def test_the_signer_never_sees_held_as_a_state(petition):
    held = held_signature(petition)
    assert held.get_state_for_signer_display() == "Pending confirmation"
    held.confirm()
    assert held.get_state_for_signer_display() == "Confirmed"
