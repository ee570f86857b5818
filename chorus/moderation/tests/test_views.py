import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_record
from chorus.moderation.tests.conftest import NOTE, make_pending
from chorus.petitions.models import Petition, PetitionRevision, RejectionReason, Target

pytestmark = pytest.mark.django_db


def url(name, petition=None):
    return reverse(f"moderation:{name}", args=[petition.slug] if petition else [])


def state_of(petition):
    petition.refresh_from_db()
    return petition.state


# Who may come in

PAGES = ["queue", "audit"]
PETITION_PAGES = ["review", "approve", "reject", "send_back", "correct", "response", "take_down",
                  "restore"]


@pytest.mark.parametrize("name", PAGES + PETITION_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_organiser_who_is_not_staff_is_refused_every_moderation_page(
    client, pending, owner, name, method
):
    client.force_login(owner)
    response = getattr(client, method)(url(name, pending if name in PETITION_PAGES else None))
    assert response.status_code == 403
    assert state_of(pending) == Petition.State.PENDING


@pytest.mark.parametrize("name", PAGES + PETITION_PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, pending, name):
    address = url(name, pending if name in PETITION_PAGES else None)
    response = client.get(address)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisers:login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", ["approve", "reject", "send_back", "take_down", "restore"])
def test_decisions_cannot_be_made_with_a_link(staff_client, pending, name):
    response = staff_client.get(url(name, pending))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert state_of(pending) == Petition.State.PENDING


@pytest.mark.parametrize("name", ["queue", "audit", "review"])
def test_read_only_pages_refuse_a_post(staff_client, pending, name):
    response = staff_client.post(url(name, pending if name == "review" else None))
    assert response.status_code == 405


def test_an_unknown_petition_is_a_404(staff_client):
    assert staff_client.get("/moderation/petitions/no-such-petition/").status_code == 404


# The queue

def test_the_queue_shows_the_longest_waiting_first_and_marks_the_overdue(
    staff_client, organisation, petition
):
    due = settings.CHORUS_REVIEW_DUE_HOURS
    make_pending(organisation, "newest", hours_ago=1, title="Newest petition")
    make_pending(organisation, "oldest", hours_ago=due + 48, title="Oldest petition")
    make_pending(organisation, "middle", hours_ago=due - 1, title="Middle petition")
    response = staff_client.get(url("queue"))
    assert response.status_code == 200
    text = response.text
    assert text.index("Oldest petition") < text.index("Middle petition") < text.index(
        "Newest petition")
    assert "3 petitions are waiting." in text
    assert "1 overdue" in text
    assert text.count(">Overdue<") == 1
    oldest_row = text[text.index("Oldest petition"):text.index("Middle petition")]
    assert "Overdue" in oldest_row and "Spectrum Alliance" in oldest_row
    assert "days ago" in oldest_row
    # An open petition is not waiting for anyone.
    assert petition.title not in text.split("Recently decided")[0]


def test_the_queue_lists_recent_decisions(staff_client, petition):
    response = staff_client.get(url("queue"))
    assert "Nothing is waiting for review." in response.text
    assert "Recently decided" in response.text and petition.title in response.text


def test_the_queue_is_paginated(staff_client, organisation):
    for number in range(52):
        make_pending(organisation, f"petition-{number}", hours_ago=100 - number)
    first = staff_client.get(url("queue"))
    assert "Page 1 of 2" in first.text
    second = staff_client.get(url("queue"), {"page": "2"})
    assert second.status_code == 200 and "Petition 51" in second.text
    assert "Petition 51" not in first.text
    assert staff_client.get(url("queue"), {"page": "\x00"}).status_code == 200


# Reviewing

def test_the_review_page_shows_the_petition_as_it_will_appear(staff_client, pending):
    Petition.objects.filter(pk=pending.pk).update(
        statement="We will not be silenced.", statement_by="Anna K.",
    )
    response = staff_client.get(url("review", pending))
    assert response.status_code == 200
    text = response.text
    for expected in ["Release the journalists", "The Ministry of Justice", "Drop the charges.",
                     "<em>charges</em>", "We will not be silenced.", "Anna K.",
                     "Spectrum Alliance", "Approve and open for signing"]:
        assert expected in text
    # Only active reasons can be chosen.
    assert "Duplicate of an open petition" in text
    RejectionReason.objects.filter(code="duplicate").update(active=False)
    assert "Duplicate of an open petition" not in staff_client.get(url("review", pending)).text


def test_the_review_page_names_the_author_without_their_email(staff_client, pending, editor):
    editor.first_name = "Emil"
    editor.save()
    text = staff_client.get(url("review", pending)).text
    assert f"Emil (#{editor.pk})" in text
    assert editor.email not in text


def test_approving_opens_the_petition_and_tells_its_organisers(
    staff_client, post, pending, editor, owner, mailoutbox
):
    public = pending.get_absolute_url()
    assert staff_client.get(public).status_code == 404
    response = post(url("approve", pending))
    assert response.status_code == 302 and response["Location"] == url("queue")
    assert state_of(pending) == Petition.State.OPEN
    assert staff_client.get(public).status_code == 200
    assert sorted(message.to[0] for message in mailoutbox) == sorted([editor.email, owner.email])
    message = mailoutbox[0]
    assert "Your petition is open" in message.subject
    assert settings.SITE_URL + public in message.body
    entry = AuditEntry.objects.get(action="moderation.approve")
    assert entry.target_id == str(pending.pk)
    assert "Approved" in staff_client.get(url("queue")).text


def test_rejecting_keeps_the_petition_private_and_says_why(
    staff_client, post, pending, editor, owner, mailoutbox
):
    response = post(url("reject", pending), {"reason": "personal-data", "confirm": "on",
                                              "note": "It names a private witness."})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == Petition.State.REJECTED
    assert pending.rejection_reason.code == "personal-data"
    assert staff_client.get(pending.get_absolute_url()).status_code == 404
    assert len(mailoutbox) == 2
    body = mailoutbox[0].body
    assert "Names or identifies private people" in body
    assert "must not expose private people" in body
    assert "It names a private witness." in body
    assert "will not be published" in body
    assert AuditEntry.objects.get(action="moderation.reject").details == {
        "reason": "personal-data"}


def test_rejecting_without_a_reason_changes_nothing(staff_client, post, pending, mailoutbox):
    response = post(url("reject", pending), {"note": "No.", "confirm": "on"})
    assert response.status_code == 400
    assert "Choose the reason for rejecting the petition." in response.text
    assert state_of(pending) == Petition.State.PENDING
    assert not mailoutbox and not AuditEntry.objects.filter(action__startswith="moderation")


def test_rejecting_asks_for_the_tick_box_first(staff_client, post, pending, mailoutbox):
    response = post(url("reject", pending), {"reason": "personal-data"})
    assert response.status_code == 400
    assert "Tick the box to confirm the rejection." in response.text
    assert state_of(pending) == Petition.State.PENDING and not mailoutbox


def test_a_retired_reason_cannot_be_given(staff_client, post, pending):
    RejectionReason.objects.filter(code="advertising").update(active=False)
    response = post(url("reject", pending), {"reason": "advertising", "confirm": "on"})
    assert response.status_code == 400
    assert "Choose one of the reasons listed." in response.text
    assert state_of(pending) == Petition.State.PENDING


def test_sending_back_without_a_note_changes_nothing(staff_client, post, pending, mailoutbox):
    response = post(url("send_back", pending), {"note": "   "})
    assert response.status_code == 400
    assert "Say what needs to change." in response.text
    assert state_of(pending) == Petition.State.PENDING
    assert not mailoutbox


def test_sending_back_returns_a_draft_with_the_note_and_an_edit_link(
    staff_client, post, pending, mailoutbox
):
    response = post(url("send_back", pending), {"note": NOTE})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == Petition.State.DRAFT
    assert pending.moderation_note == NOTE
    assert len(mailoutbox) == 2
    body = mailoutbox[0].body
    assert NOTE in body
    assert settings.SITE_URL + reverse("petitions:manage:edit", args=[pending.slug]) in body
    assert AuditEntry.objects.filter(action="moderation.send_back").count() == 1


def test_approving_a_rejected_petition_is_refused_with_a_message(
    staff_client, post, pending, moderator, mailoutbox
):
    pending.reject(reason=RejectionReason.objects.get(code="offensive"))
    response = post(url("approve", pending), follow=True)
    assert "Only a petition awaiting review can be approved." in response.text
    assert state_of(pending) == Petition.State.REJECTED
    assert not mailoutbox
    assert staff_client.get(pending.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("note", ["Fix it\x00 please", "Fix \x1b[31mit", "x" * 2001])
def test_a_bad_note_is_refused_and_changes_nothing(staff_client, post, pending, note,
                                                   mailoutbox):
    for name, data in [("send_back", {"note": note}),
                       ("reject", {"reason": "unclear", "note": note, "confirm": "on"})]:
        response = post(url(name, pending), data)
        assert response.status_code == 400
        assert 'class="errors"' in response.text
    pending.refresh_from_db()
    assert pending.state == Petition.State.PENDING and pending.moderation_note == ""
    assert not mailoutbox


def test_a_body_that_is_not_utf8_is_refused(staff_client, pending):
    response = staff_client.post(url("send_back", pending), b"note=caf\xe9",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert state_of(pending) == Petition.State.PENDING


# Corrections

def test_a_correction_changes_the_public_text_and_is_kept_in_the_history(
    staff_client, post, petition, moderator
):
    public = petition.get_absolute_url()
    assert "Stop the lawsuit" in staff_client.get(public).text  # now cached
    form = staff_client.get(url("correct", petition))
    assert form.status_code == 200 and "Withdraw the lawsuit." in form.text
    response = post(url("correct", petition), {
        "title": "Stop the lawsuit now", "target": petition.target, "ask": petition.ask,
        "body": "The **government** wants to close us.\r\n\r\nIt must stop.",
        "note": "Typo in the title.",
    })
    assert response.status_code == 302
    revision = PetitionRevision.objects.get(petition=petition)
    assert revision.by_staff and revision.changed_by == moderator
    assert revision.note == "Typo in the title."
    assert revision.changes["title"] == ["Stop the lawsuit", "Stop the lawsuit now"]
    assert revision.changes["body"][1].endswith("\n\nIt must stop.")
    page = staff_client.get(public).text
    assert "Stop the lawsuit now" in page and "It must stop." in page
    assert AuditEntry.objects.filter(action="petition.correct").exists()


def test_a_correction_that_changes_nothing_makes_no_revision(staff_client, post, petition):
    response = post(url("correct", petition), {
        "title": petition.title, "target": petition.target, "ask": petition.ask,
        "body": petition.body.replace("\n", "\r\n"), "note": "Just checking.",
    }, follow=True)
    assert "Nothing was changed." in response.text
    assert not PetitionRevision.objects.exists()


@pytest.mark.parametrize(("changes", "error"), [
    ({"note": ""}, "Say why the text is being corrected."),
    ({"title": ""}, "This field is required."),
    ({"title": "x" * 201}, "at most 200 characters"),
    ({"title": "Stop\x00"}, "Null characters are not allowed."),
    ({"target": "The\nGovernment"}, "Please use only letters"),
])
def test_a_bad_correction_is_refused_and_changes_nothing(
    staff_client, post, petition, changes, error
):
    data = {"title": "Corrected", "target": petition.target, "ask": petition.ask,
            "body": petition.body, "note": "Typo.", **changes}
    response = post(url("correct", petition), data)
    assert response.status_code == 400
    assert error in response.text
    petition.refresh_from_db()
    assert petition.title == "Stop the lawsuit"
    assert not PetitionRevision.objects.exists()


def test_a_draft_cannot_be_corrected_by_staff(staff_client, post, draft):
    response = post(url("correct", draft), {
        "title": "Changed", "target": draft.target, "ask": draft.ask, "body": draft.body,
        "note": "Typo.",
    })
    assert response.status_code == 400
    assert "Only a petition awaiting review or published" in response.text
    draft.refresh_from_db()
    assert draft.title == "Free the press"


# Responses

def test_staff_record_the_targets_response(staff_client, post, petition, moderator):
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    response = post(url("response", petition), {
        "text": "We will consider the petition.", "date": yesterday.isoformat()})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.response_text == "We will consider the petition."
    assert petition.response_date == yesterday
    entry = AuditEntry.objects.get(action="moderation.response")
    assert entry.actor == moderator and entry.details == {"date": yesterday.isoformat()}


def test_staff_still_record_a_response_when_targets_answered_and_are_told_it_is_not_shown(
        staff_client, post, petition):
    yesterday = timezone.now().date() - datetime.timedelta(days=1)
    Target.objects.create(petition=petition, name="Minister", response_text="No.",
                          response_date=yesterday)
    page = staff_client.get(url("response", petition))
    assert "shows those answers instead of this response" in page.text
    post(url("response", petition), {"text": "We will consider it.",
                                     "date": yesterday.isoformat()})
    petition.refresh_from_db()
    assert petition.response_text == "We will consider it."


@pytest.mark.parametrize(("data", "error"), [
    ({"text": "", "date": "2024-01-01"}, "Enter the response."),
    ({"text": "   ", "date": "2024-01-01"}, "Enter the response."),
    ({"text": "Yes.", "date": "2999-01-01"}, "The response cannot be dated in the future."),
    ({"text": "Yes.", "date": "yesterday"}, "Enter a date like 2030-12-31."),
    ({"text": "Yes.\x00", "date": "2024-01-01"}, "Null characters are not allowed."),
])
def test_a_bad_response_is_refused_and_changes_nothing(staff_client, post, petition, data,
                                                       error):
    response = post(url("response", petition), data)
    assert response.status_code == 400
    assert error in response.text
    petition.refresh_from_db()
    assert petition.response_text == "" and petition.response_date is None
    assert not AuditEntry.objects.filter(action="moderation.response").exists()


def test_a_petition_that_is_not_public_gets_no_response(staff_client, post, pending):
    response = post(url("response", pending), {"text": "Yes.", "date": "2024-01-01"})
    assert response.status_code == 400
    assert "Only a published petition can have a response." in response.text
    pending.refresh_from_db()
    assert pending.response_text == ""


# The audit log

def test_the_audit_log_shows_who_did_what_newest_first(staff_client, petition, moderator):
    audit_record(actor=moderator, action="moderation.approve", target=petition)
    audit_record(actor=moderator, action="signature.invalidate", target=petition, count=3,
                 fields=["title", "ask"])
    response = staff_client.get(url("audit"))
    assert response.status_code == 200
    text = response.text
    assert text.index("signature.invalidate</code>") < text.index("moderation.approve</code>")
    assert f"#{moderator.pk}" in text and "Stop the lawsuit" in text
    assert "title, ask" in text
    assert moderator.email not in text


def test_the_audit_log_can_be_filtered(staff_client, petition, draft, moderator):
    audit_record(actor=moderator, action="moderation.approve", target=petition)
    audit_record(actor=moderator, action="petition.close", target=draft)
    by_action = staff_client.get(url("audit"), {"action": "petition.close"}).text
    assert "Free the press" in by_action and "Stop the lawsuit" not in by_action
    by_text = staff_client.get(url("audit"), {"search": "lawsuit"}).text
    assert "Stop the lawsuit" in by_text and "Free the press" not in by_text


@pytest.mark.parametrize("query", [{"action": "no.such.action"}, {"search": "a\x00b"},
                                   {"search": "x" * 101}])
def test_a_bad_audit_filter_gets_an_error(staff_client, petition, moderator, query):
    audit_record(actor=moderator, action="moderation.approve", target=petition)
    response = staff_client.get(url("audit"), query)
    assert response.status_code == 400
    assert 'class="errors"' in response.text


def test_the_audit_log_is_paginated(staff_client, petition, moderator):
    AuditEntry.objects.bulk_create(
        AuditEntry(actor_name="system", action="test.entry", target_repr=f"entry {n}")
        for n in range(101)
    )
    response = staff_client.get(url("audit"))
    assert "Page 1 of 2" in response.text
    assert staff_client.get(url("audit"), {"page": "2"}).status_code == 200


# Taking down and restoring

@pytest.fixture
def published(pending):
    pending.open()
    return pending


TAKE_DOWN = {"reason": "personal-data", "note": "It names a witness.", "publish_reason": "on"}


def test_the_review_page_of_a_published_petition_offers_to_take_it_down(staff_client, published):
    text = staff_client.get(url("review", published)).text
    for expected in ("Take the petition down", "Names or identifies private people",
                     "Note to the organisers", "Show the reason on the public page"):
        assert expected in text
    assert "Restore the petition" not in text


def test_the_review_page_of_a_pending_petition_does_not_offer_a_takedown(staff_client, pending):
    text = staff_client.get(url("review", pending)).text
    assert "Take the petition down" not in text and "Restore the petition" not in text


def test_taking_down_removes_the_public_page_and_tells_the_organisers(
    staff_client, post, published, editor, owner, mailoutbox
):
    public = published.get_absolute_url()
    assert staff_client.get(public).status_code == 200
    response = post(url("take_down", published), TAKE_DOWN)
    assert response.status_code == 302 and response["Location"] == url("review", published)
    assert state_of(published) == Petition.State.TAKEN_DOWN
    gone = staff_client.get(public)
    assert gone.status_code == 410
    assert "Names or identifies private people" in gone.text
    assert "witness" not in gone.text
    assert sorted(message.to[0] for message in mailoutbox) == sorted([editor.email, owner.email])
    review = staff_client.get(url("review", published)).text
    assert "Taken down:" in review  # the confirmation
    assert "It names a witness." in review and "Restore the petition" in review
    assert "shown on the public page" in review


@pytest.mark.parametrize(("data", "error"), [
    ({"reason": "personal-data", "note": ""}, "Say why the petition is being taken down."),
    ({"note": "It names a witness."}, "Choose the reason for taking the petition down."),
    ({"reason": "no-such-reason", "note": "Why."}, "Choose one of the reasons listed."),
])
def test_a_takedown_without_a_reason_or_a_note_changes_nothing(
    staff_client, post, published, mailoutbox, data, error
):
    response = post(url("take_down", published), data)
    assert response.status_code == 400
    assert error in response.text
    assert state_of(published) == Petition.State.OPEN
    assert mailoutbox == [] and not AuditEntry.objects.exists()


def test_a_petition_awaiting_review_cannot_be_taken_down(staff_client, post, pending, mailoutbox):
    response = post(url("take_down", pending), TAKE_DOWN, follow=True)
    assert "Only an open or closed petition can be taken down." in response.text
    assert state_of(pending) == Petition.State.PENDING
    assert mailoutbox == []


def test_restoring_brings_the_public_page_back_and_tells_the_organisers(
    staff_client, post, published, editor, owner, mailoutbox
):
    post(url("take_down", published), TAKE_DOWN)
    mailoutbox.clear()
    response = post(url("restore", published))
    assert response.status_code == 302 and response["Location"] == url("review", published)
    assert state_of(published) == Petition.State.OPEN
    assert staff_client.get(published.get_absolute_url()).status_code == 200
    assert sorted(message.to[0] for message in mailoutbox) == sorted([editor.email, owner.email])
    assert [entry.action for entry in AuditEntry.objects.order_by("pk")] == [
        "moderation.take_down", "moderation.restore"]
    assert "Take the petition down" in staff_client.get(url("review", published)).text


def test_restoring_a_petition_that_was_not_taken_down_is_refused(staff_client, post, published):
    response = post(url("restore", published), follow=True)
    assert "Only a petition that was taken down can be restored." in response.text
    assert state_of(published) == Petition.State.OPEN
