import pytest

from chorus.lib.digests import email_digest
from chorus.signatures.models import Signature


def sign(client, petition, data, **extra):
    return client.post(f"/petitions/{petition.slug}/sign/", data, **extra)


def test_it_records_a_pending_signature(client, petition, signer):
    response = sign(client, petition, signer, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response["Location"] == f"/petitions/{petition.slug}/thanks/"
    signature = Signature.objects.get()
    assert signature.state == Signature.State.PENDING
    assert signature.name == "Nadia Petrova"
    assert signature.country == "DE"
    assert signature.updates is True
    assert signature.show_name is False
    assert signature.email_digest == email_digest(signer["email"])
    assert signature.language == "en"


def test_it_keeps_only_a_keyed_digest_of_the_ip(client, petition, signer):
    sign(client, petition, signer, REMOTE_ADDR="203.0.113.7")
    signature = Signature.objects.get()
    assert signature.ip_digest and "203.0.113.7" not in signature.ip_digest
    assert len(signature.ip_digest) == 64


def test_it_enqueues_the_confirmation_after_commit(
    client, petition, signer, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign(client, petition, signer)
    assert mailoutbox == []  # nothing is sent inside the request
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1


def test_a_second_signature_gets_exactly_the_same_response(client, petition, signer):
    first = sign(client, petition, signer)
    again = sign(client, petition, {**signer, "email": " Nadia.Petrova@EXAMPLE.org "})
    assert (again.status_code, again["Location"], again.content) == (
        first.status_code, first["Location"], first.content,
    )
    assert Signature.objects.count() == 1


def test_gmail_spellings_of_one_mailbox_sign_once(client, petition, signer):
    for spelling in ["nadia.petrova@gmail.com", "NadiaPetrova+news@googlemail.com",
                     "n.a.d.i.a.petrova@Gmail.com"]:
        sign(client, petition, {**signer, "email": spelling})
    assert Signature.objects.count() == 1


def test_a_duplicate_resends_the_confirmation_a_few_times_at_most(
    client, petition, signer, mailoutbox, immediate_tasks, settings,
    django_capture_on_commit_callbacks,
):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 3
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            sign(client, petition, signer)
    assert len(mailoutbox) == 3


def test_a_confirmed_signer_signing_again_gets_no_email(
    client, petition, signer, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, petition, signer)
    Signature.objects.get().confirm()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, petition, signer)
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_it_keeps_a_campaign_source_code(client, petition, signer):
    sign(client, petition, {**signer, "source": "partner-news"})
    assert Signature.objects.get().source == "partner-news"


def test_a_malformed_source_code_is_dropped_not_refused(client, petition, signer):
    response = sign(client, petition, {**signer, "source": "<script>" * 20})
    assert response.status_code == 302
    assert Signature.objects.get().source == ""


def test_the_confirmation_email_is_in_the_language_signed_in(
    client, petition, signer, mailoutbox, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign(client, petition, signer, HTTP_ACCEPT_LANGUAGE="ru")
    assert Signature.objects.get().language == "ru"
    assert "Пожалуйста" in mailoutbox[0].subject


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_draft_and_closed_petitions_refuse_politely(client, petition, signer, state):
    petition.state = state
    petition.save()
    response = sign(client, petition, signer)
    assert response.status_code == (404 if state == "draft" else 409)
    assert Signature.objects.count() == 0
    if state == "closed":
        assert b"no longer accepts signatures" in response.content


def test_a_petition_past_its_closing_date_refuses(client, petition, signer):
    from datetime import timedelta

    from django.utils import timezone

    petition.closes_at = timezone.now() - timedelta(minutes=1)
    petition.save()
    assert sign(client, petition, signer).status_code == 409
    assert Signature.objects.count() == 0


def test_the_signature_row_itself_records_that_its_email_is_due(client, petition, signer):
    sign(client, petition, signer)
    assert Signature.objects.get().confirmation_due is True


def test_reading_a_petition_sets_no_cookie(client, petition):
    response = client.get(f"/petitions/{petition.slug}/")
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_signature_posted_from_our_own_page_is_accepted(client, petition, signer):
    response = sign(client, petition, signer, HTTP_ORIGIN="http://testserver",
                    HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 302
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
    ],
    ids=["another-origin", "opaque-origin", "cross-site-fetch", "sibling-subdomain"],
)
def test_a_signature_forged_by_another_site_is_refused(client, petition, signer, headers):
    response = sign(client, petition, signer, **headers)
    assert response.status_code == 403
    assert b"sent from another website" in response.content
    assert Signature.objects.count() == 0


def test_a_form_posted_without_the_trailing_slash_still_signs(client, petition, signer):
    response = client.post(f"/petitions/{petition.slug}/sign", signer)
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_huge_name_is_not_sent_back_whole(client, petition, signer):
    response = sign(client, petition, {**signer, "name": "x" * 100_000})
    assert response.status_code == 400
    assert len(response.content) < 50_000
