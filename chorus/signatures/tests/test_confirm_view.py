from unittest import mock

import pytest
from django.core import signing

from chorus.signatures.models import Signature
from chorus.signatures.tokens import confirmation_token
from chorus.testing import tampered


@pytest.fixture
def signature(petition):
    return Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org", email_digest="d" * 64,
        country="DE",
    )


def link(signature):
    return f"/confirm/{confirmation_token(signature.pk)}/"


def test_opening_the_link_shows_a_button_and_confirms_nothing(client, signature):
    response = client.get(link(signature))
    assert response.status_code == 200
    assert b"Confirm my signature" in response.content
    assert b'method="post"' in response.content
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_pressing_the_button_confirms(client, signature):
    response = client.post(link(signature))
    assert response.status_code == 200
    assert b"your signature is confirmed" in response.content
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
    assert signature.confirmed_at is not None


def test_confirming_twice_is_harmless(client, signature):
    client.post(link(signature))
    signature.refresh_from_db()
    first_confirmed_at = signature.confirmed_at
    again = client.post(link(signature))
    assert again.status_code == 200
    assert b"your signature is confirmed" in again.content
    signature.refresh_from_db()
    assert signature.confirmed_at == first_confirmed_at


def test_a_tampered_link_gets_a_clear_page(client, signature):
    token = confirmation_token(signature.pk)
    other = confirmation_token(signature.pk + 1).split(":", 1)[1]
    for bad in [tampered(token), f"{signature.pk + 1}:{token.split(':', 1)[1]}",
                f"{signature.pk}:{other}", "nonsense", "%00"]:
        response = client.post(f"/confirm/{bad}/")
        assert response.status_code == 404, bad
        assert b"This link does not work" in response.content
        assert b"sign the petition again with the same address" in response.content
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING


def test_an_expired_link_offers_a_fresh_one(
    client, signature, settings, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    token = confirmation_token(signature.pk)
    later = signing.time.time() + settings.CHORUS_CONFIRMATION_MAX_AGE + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.post(f"/confirm/{token}/")
        assert response.status_code == 410
        assert b"This link has expired" in response.content
        assert f'action="/confirm/{token}/resend/"'.encode() in response.content
        with django_capture_on_commit_callbacks(execute=True):
            resent = client.post(f"/confirm/{token}/resend/")
    assert resent.status_code == 200
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["nadia@example.org"]
    # The fresh link works.
    fresh = mailoutbox[0].body.split("/confirm/")[1].split("/")[0]
    assert client.post(f"/confirm/{fresh}/").status_code == 200
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED


def test_fresh_links_are_limited(
    client, signature, settings, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 1
    settings.CHORUS_EXPIRED_LINK_RESENDS = 2
    token = confirmation_token(signature.pk)
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/confirm/{token}/resend/")
    assert len(mailoutbox) == 2


def test_a_tampered_resend_link_sends_nothing(client, signature, mailoutbox, immediate_tasks):
    response = client.post(f"/confirm/{signature.pk}:forged/resend/")
    assert response.status_code == 200
    assert mailoutbox == []


def test_an_invalidated_signature_cannot_be_confirmed(client, signature):
    signature.invalidate()
    response = client.post(link(signature))
    assert response.status_code == 404
    signature.refresh_from_db()
    assert signature.state == Signature.State.INVALIDATED


def test_a_link_to_an_erased_signature_gets_a_clear_page(client, signature):
    url = link(signature)
    signature.delete()
    assert client.get(url).status_code == 404


def test_other_methods_are_refused(client, signature):
    response = client.put(link(signature))
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
