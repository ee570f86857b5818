"""A petition's whole life through the site's own pages, from the first draft to an update."""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

TITLE = "Save the community radio"
SLUG = "save-the-community-radio"  # made from the title: the organiser leaves it empty
UPDATE_TITLE = "The ministry has agreed to meet us"
UPDATE_BODY = "Thank you: **1 person** made them listen."


def run_worker():
    """What the background task worker does in production: run every task that is due."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def emails_to(mailoutbox, address):
    return [message for message in mailoutbox if address in message.to]


# Real commits, so every task is queued on commit as in production and the
# database worker (which closes connections) can run in the test.
@pytest.mark.django_db(transaction=True)
def test_a_petition_goes_from_draft_to_signed_to_an_update_by_email(
    staff_client, owner, signer, mailoutbox
):
    """Olga writes a petition, Mira approves it, Nadia signs and confirms, Olga posts an
    update that reaches Nadia; the count and its history show her signature."""
    olga = Client()
    olga.force_login(owner)
    mira = staff_client  # the moderator, past the second factor
    nadia = Client()  # anonymous, as signers are
    public = reverse("signatures:petition", args=[SLUG])

    # 1. Olga writes the petition and submits it for review.
    form = olga.get(reverse("petitions:manage:create"))
    assert form.status_code == 200
    assert 'name="title"' in form.text
    created = olga.post(reverse("petitions:manage:create"), {
        "organisation": "spectrum-alliance",
        "title": TITLE,
        "slug": "",
        "target": "The Ministry of Culture",
        "ask": "Renew the licence of our community radio.",
        "body": "The station has broadcast in **four languages** since 1998.",
        "statement": "", "statement_by": "", "statement_role": "",
        "image_alt": "", "image_caption": "", "image_credit": "",
        "goal": "5000",
        "closes_on": "",
        "action": "save",
    })
    assert created.status_code == 302
    assert created["Location"] == reverse("petitions:manage:detail", args=[SLUG])
    assert "Your draft is saved" in olga.get(created["Location"]).text
    assert nadia.get(public).status_code == 404  # a draft is nobody else's business

    submitted = olga.post(reverse("petitions:manage:submit", args=[SLUG]), follow=True)
    assert submitted.status_code == 200
    assert "Submitted for review" in submitted.text
    assert nadia.get(public).status_code == 404

    # 2. Mira finds it in the queue and approves it; now anyone can sign it.
    queue = mira.get(reverse("moderation:queue"))
    assert queue.status_code == 200
    assert "1 petition is waiting." in queue.text
    assert TITLE in queue.text
    approved = mira.post(reverse("moderation:approve", args=[SLUG]), follow=True)
    assert approved.status_code == 200
    assert "Approved: the petition is open for signing" in approved.text
    assert "Nothing is waiting for review." in approved.text

    run_worker()
    assert any("Your petition is open" in message.subject
               for message in emails_to(mailoutbox, owner.email))

    page = nadia.get(public)
    assert page.status_code == 200
    assert TITLE in page.text
    assert f'action="{reverse("signatures:sign", args=[SLUG])}"' in page.text
    assert "Sign the petition" in page.text

    # 3. Nadia signs, agreeing to hear more, and confirms from the e-mail.
    signed = nadia.post(reverse("signatures:sign", args=[SLUG]), signer)
    assert signed.status_code == 302
    assert signed["Location"] == reverse("signatures:thanks", args=[SLUG])
    assert "check your e-mail" in nadia.get(signed["Location"]).text.lower()

    assert emails_to(mailoutbox, signer["email"]) == []  # the worker sends it, not the page
    run_worker()
    to_nadia = emails_to(mailoutbox, signer["email"])
    assert len(to_nadia) == 1, [message.subject for message in to_nadia]
    confirmation = to_nadia[0]
    assert TITLE in confirmation.subject
    link = re.search(r"https?://[^/\s]+(/confirm/[^/\s]+/)", confirmation.body).group(1)

    button = nadia.get(link)  # a mail scanner opening the link confirms nothing
    assert button.status_code == 200
    assert "Confirm my signature" in button.text
    confirmed = nadia.post(link)
    assert confirmed.status_code == 200
    assert "your signature is confirmed" in confirmed.text

    # 4. The periodic work counts her; once the short public caches expire, everyone sees it.
    call_command("runperiodic", "--once")
    cache.clear()
    page = nadia.get(public)
    assert re.search(r"<strong>1</strong>\s*person has signed", page.text)
    count = nadia.get(reverse("signatures:counting:count_json", args=[SLUG]))
    assert count.status_code == 200
    assert count.json()["signature_count"] == 1
    history = nadia.get(reverse("signatures:counting:history_json", args=[SLUG])).json()
    assert history["signature_count"] == 1
    assert [point["signature_count"] for point in history["hourly"]] == [1]
    history_page = nadia.get(reverse("signatures:counting:history", args=[SLUG]))
    assert history_page.status_code == 200
    assert "1 person has signed" in history_page.text

    # 5. Olga posts an update, ticking the box to e-mail it, and it reaches Nadia.
    form = olga.get(reverse("updates:create", args=[SLUG]))
    assert form.status_code == 200
    assert "Also e-mail this to the 1 signer who agreed to hear more" in form.text
    posted = olga.post(reverse("updates:create", args=[SLUG]), {
        "title": UPDATE_TITLE, "body": UPDATE_BODY, "email": "on", "publish": "1",
    }, follow=True)
    assert posted.status_code == 200
    assert "The update is on the petition page." in posted.text
    assert UPDATE_TITLE in nadia.get(public).text

    assert len(emails_to(mailoutbox, signer["email"])) == 1  # only the confirmation so far
    run_worker()
    to_nadia = emails_to(mailoutbox, signer["email"])
    assert len(to_nadia) == 2, [message.subject for message in to_nadia]
    news = to_nadia[1]
    assert UPDATE_TITLE in news.subject
    assert UPDATE_TITLE in news.body and UPDATE_BODY in news.body
    assert "/updates/unsubscribe/" in news.body
