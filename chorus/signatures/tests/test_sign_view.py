import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def answer(response):
    return response.status_code, response.get("Location"), response.content


def test_a_first_signature_a_pending_duplicate_and_a_confirmed_one_get_identical_answers(
    post, petition, signer
):
    first = post(f"/petitions/{petition.slug}/sign/", signer)
    pending_again = post(f"/petitions/{petition.slug}/sign/", signer)
    Signature.objects.get().confirm()
    confirmed_again = post(f"/petitions/{petition.slug}/sign/", signer)

    assert answer(first) == answer(pending_again) == answer(confirmed_again)
    assert answer(first)[:2] == (302, f"/petitions/{petition.slug}/thanks/")
    assert Signature.objects.count() == 1


def test_signing_again_after_confirming_costs_the_statements_a_pending_duplicate_costs(
    client, petition, signer
):
    def statements(email):
        with CaptureQueriesContext(connection) as queries:
            sign(client, petition, {**signer, "email": email})
        return len(queries)

    sign(client, petition, signer)
    sign(client, petition, {**signer, "email": "ilse.berg@example.org"})
    Signature.objects.get(email_digest=email_digest(signer["email"])).confirm()

    assert statements(signer["email"]) == statements("ilse.berg@example.org")


def test_a_confirmed_signer_signing_again_gets_one_email_with_their_private_link(
    client, post, petition, signer, mailoutbox
):
    post(f"/petitions/{petition.slug}/sign/", signer)
    Signature.objects.get().confirm()
    post(f"/petitions/{petition.slug}/sign/", signer)

    assert len(mailoutbox) == 2
    notice = mailoutbox[1]
    assert notice.to == [signer["email"]]
    assert notice.subject == "You have already signed “Stop the lawsuit”"
    assert "/confirm/" not in notice.body
    manage = re.search(r"http://[^/\s]+(/signature/\S+/)", notice.body).group(1)
    page = client.get(manage).content.decode()
    assert "Nadia Petrova" in page and "Withdraw my signature" in page


def test_a_confirmed_signer_gets_no_more_emails_than_the_limit_however_often_they_sign(
    post, petition, signer, mailoutbox, settings
):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 3
    post(f"/petitions/{petition.slug}/sign/", signer)
    Signature.objects.get().confirm()
    for _ in range(5):
        post(f"/petitions/{petition.slug}/sign/", signer)

    # The confirmation, then two notices: three e-mails in all.
    assert [m.subject for m in mailoutbox] == [
        "Please confirm your signature: Stop the lawsuit",
        *["You have already signed “Stop the lawsuit”"] * 2,
    ]


def test_a_signer_who_withdrew_and_signs_again_gets_no_email(
    post, petition, signer, mailoutbox
):
    post(f"/petitions/{petition.slug}/sign/", signer)
    Signature.objects.get().withdraw()
    post(f"/petitions/{petition.slug}/sign/", signer)
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


# While the database cannot be reached (chorus.testing.Outage: real on PostgreSQL).

def _filled_in(page: str, signer: dict) -> bool:
    return (f'value="{signer["name"]}"' in page and f'value="{signer["email"]}"' in page
            and f'value="{signer["country"]}" selected' in page)


def test_a_signature_sent_while_the_database_is_down_comes_back_filled_in(
    client, petition, signer, outage
):
    client.get(f"/petitions/{petition.slug}/")  # the petition is cached: the INSERT fails
    outage.start()

    response = sign(client, petition, signer)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    page = response.content.decode()
    assert "We cannot record anything just now. Please try again in a moment." in page
    assert _filled_in(page, signer)
    assert f'action="/petitions/{petition.slug}/sign/"' in page
    outage.end()
    assert Signature.objects.count() == 0


def test_it_comes_back_filled_in_when_even_the_petition_cannot_be_read(
    client, petition, signer, outage
):
    outage.start()

    response = sign(client, petition, {**signer, "updates": ""})

    assert response.status_code == 503
    assert _filled_in(response.content.decode(), signer)
    assert 'name="updates" type="checkbox" checked' not in response.content.decode()


def test_the_same_form_sent_again_once_the_database_is_back_is_recorded(
    client, petition, signer, outage
):
    outage.start()
    sign(client, petition, signer)
    outage.end()

    response = sign(client, petition, signer)

    assert response.status_code == 302
    assert Signature.objects.get().name == signer["name"]


def test_a_form_sent_back_with_an_error_keeps_the_country_chosen(client, petition, signer):
    response = sign(client, petition, {**signer, "name": ""})

    assert response.status_code == 400
    assert '<option value="DE" selected>' in response.content.decode()
