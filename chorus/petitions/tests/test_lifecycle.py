"""Petition lifecycle: every legal transition, and illegal ones refused without change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chorus.petitions.models import Petition, RejectionReason
from chorus.petitions.services import petition_revise


@pytest.fixture
def pending(draft):
    draft.submit()
    return draft


@pytest.fixture
def reason(db):
    return RejectionReason.objects.create(
        code="hate", title="Incites hatred", description="Petitions may not target people."
    )


def reloaded(petition) -> Petition:
    return Petition.objects.get(pk=petition.pk)


def refused(petition, action, message: str) -> None:
    """The action raises a ValidationError saying `message`; the stored petition is unchanged."""
    before = Petition.objects.filter(pk=petition.pk).values().get()
    with pytest.raises(ValidationError) as error:
        action()
    assert message in " ".join(error.value.messages)
    assert Petition.objects.filter(pk=petition.pk).values().get() == before


def test_a_draft_can_be_submitted_for_review(draft):
    draft.submit()
    stored = reloaded(draft)
    assert stored.state == Petition.State.PENDING
    assert stored.submitted_at is not None


def test_a_pending_petition_can_be_approved_and_opens_for_signing(pending):
    pending.open()
    stored = reloaded(pending)
    assert stored.state == Petition.State.OPEN
    assert stored.opened_at is not None and stored.is_signable


def test_staff_can_open_a_draft_directly(draft):
    draft.open()
    assert reloaded(draft).state == Petition.State.OPEN


def test_a_pending_petition_can_be_sent_back_with_a_note(pending):
    pending.send_back(note="Name the ministry, not the minister.")
    stored = reloaded(pending)
    assert stored.state == Petition.State.DRAFT
    assert stored.moderation_note == "Name the ministry, not the minister."


def test_a_petition_sent_back_can_be_submitted_again_and_approval_clears_the_note(pending):
    pending.send_back(note="Shorter title, please.")
    pending.submit()
    pending.open()
    stored = reloaded(pending)
    assert stored.state == Petition.State.OPEN and stored.moderation_note == ""


def test_a_pending_petition_can_be_rejected_with_a_reason(pending, reason):
    pending.reject(reason=reason, note="It names private people.")
    stored = reloaded(pending)
    assert stored.state == Petition.State.REJECTED
    assert stored.rejection_reason == reason
    assert stored.moderation_note == "It names private people."
    assert not stored.is_public


def test_an_open_petition_can_be_closed(petition):
    petition.close()
    stored = reloaded(petition)
    assert stored.state == Petition.State.CLOSED
    assert stored.closed_at is not None and not stored.is_signable and stored.is_public


def test_victory_can_be_declared_on_an_open_or_a_closed_petition(petition, organisation):
    petition.declare_victory()
    assert reloaded(petition).victory_at is not None
    other = Petition.objects.create(
        organisation=organisation, slug="won-later", title="T", target="T", ask="A")
    other.open()
    other.close()
    other.declare_victory()
    assert reloaded(other).victory_at is not None


def test_a_response_can_be_recorded_on_a_public_petition(petition):
    petition.record_response(text="We will review the case.", date=timezone.now().date())
    assert reloaded(petition).response_text == "We will review the case."


def test_a_rejected_petition_cannot_be_reopened(pending, reason):
    pending.reject(reason=reason)
    refused(pending, pending.open, "Only a draft or a petition awaiting review can be opened.")
    refused(pending, pending.submit, "Only a draft can be submitted for review.")


def test_an_open_petition_cannot_be_submitted(petition):
    refused(petition, petition.submit, "Only a draft can be submitted for review.")


def test_a_draft_cannot_be_closed(draft):
    refused(draft, draft.close, "Only an open petition can be closed.")


def test_a_draft_cannot_be_rejected_or_sent_back(draft, reason):
    refused(draft, lambda: draft.reject(reason=reason),
            "Only a petition awaiting review can be rejected.")
    refused(draft, lambda: draft.send_back(note="Why?"),
            "Only a petition awaiting review can be sent back.")


def test_sending_back_needs_a_note(pending):
    refused(pending, lambda: pending.send_back(note="  "), "Say what needs to change.")


def test_victory_cannot_be_declared_twice(petition):
    petition.declare_victory()
    refused(petition, petition.declare_victory, "Victory has already been declared.")


def test_victory_cannot_be_declared_on_a_draft(draft):
    refused(draft, draft.declare_victory, "Only a published petition can declare victory.")


def test_a_petition_whose_closing_date_passed_cannot_be_opened(pending):
    pending.closes_at = timezone.now() - datetime.timedelta(days=1)
    pending.save()
    refused(pending, pending.open, "The closing date has passed")


def test_organisers_cannot_change_signed_text(petition, editor):
    petition.signature_count = 3
    petition.save()
    refused(
        petition,
        lambda: petition_revise(petition=petition, actor=editor,
                                changes={"ask": "Something else."}),
        "People have already signed this text",
    )
    assert not petition.revisions.exists()


def test_organisers_cannot_change_the_text_of_an_open_petition_nobody_signed(petition, editor):
    refused(
        petition,
        lambda: petition_revise(petition=petition, actor=editor, changes={"title": "New"}),
        "Only a draft's text can be changed.",
    )


def test_staff_cannot_correct_signed_text_without_a_note(petition, moderator):
    petition.signature_count = 3
    petition.save()
    refused(
        petition,
        lambda: petition_revise(petition=petition, actor=moderator, staff=True,
                                changes={"target": "The Ministry of Justice"}),
        "Say why the signed text is being corrected.",
    )


def test_staff_can_correct_signed_text_with_a_note_and_it_is_kept(petition, moderator):
    petition.signature_count = 3
    petition.save()
    revision = petition_revise(petition=petition, actor=moderator, staff=True,
                               note="Typo in the target.",
                               changes={"target": "The Government of Norvania."})
    assert reloaded(petition).target == "The Government of Norvania."
    assert revision.by_staff and revision.changes == {
        "target": ["The Government of Norvania", "The Government of Norvania."]
    }


def test_organisers_can_still_change_what_is_not_signed_text(petition, editor):
    petition.signature_count = 3
    petition.save()
    assert petition_revise(petition=petition, actor=editor, changes={"goal": 5000}) is None
    assert reloaded(petition).goal == 5000


# Taking down and restoring

def take_down(petition, moderator, reason, **extra):
    petition.take_down(by=moderator, reason=reason, note="Names a witness.", **extra)


def test_an_open_petition_can_be_taken_down_and_says_why_and_by_whom(petition, moderator, reason):
    take_down(petition, moderator, reason, publish_reason=True)
    stored = reloaded(petition)
    assert stored.state == Petition.State.TAKEN_DOWN
    assert stored.get_state_display() == "Taken down"
    assert stored.taken_down_by == moderator and stored.taken_down_at is not None
    assert stored.takedown_reason == reason and stored.takedown_note == "Names a witness."
    assert stored.public_takedown_reason == "Incites hatred"
    assert not stored.is_public and not stored.is_signable
    assert not Petition.objects.visible().filter(pk=petition.pk).exists()


def test_the_reason_stays_private_unless_the_moderator_publishes_it(petition, moderator, reason):
    take_down(petition, moderator, reason)
    assert reloaded(petition).public_takedown_reason == ""


def test_a_restored_open_petition_is_open_again_for_signing(petition, moderator, reason):
    take_down(petition, moderator, reason, publish_reason=True)
    petition.restore()
    stored = reloaded(petition)
    assert stored.state == Petition.State.OPEN and stored.is_signable
    assert stored.takedown_reason is None and stored.takedown_note == ""
    assert stored.public_takedown_reason == ""


def test_a_closed_petition_taken_down_is_restored_closed(petition, moderator, reason):
    petition.close()
    take_down(petition, moderator, reason)
    petition.restore()
    stored = reloaded(petition)
    assert stored.state == Petition.State.CLOSED
    assert stored.closed_at is not None


def test_taking_down_changes_when_the_petition_was_updated(petition, moderator, reason):
    before = reloaded(petition).updated_at
    take_down(petition, moderator, reason)
    assert reloaded(petition).updated_at > before


@pytest.mark.parametrize("fixture", ["draft", "pending"])
def test_a_petition_that_was_never_public_cannot_be_taken_down(request, fixture, moderator,
                                                               reason):
    unpublished = request.getfixturevalue(fixture)
    refused(unpublished, lambda: take_down(unpublished, moderator, reason),
            "Only an open or closed petition can be taken down.")


def test_a_rejected_petition_cannot_be_taken_down(pending, moderator, reason):
    pending.reject(reason=reason)
    refused(pending, lambda: take_down(pending, moderator, reason),
            "Only an open or closed petition can be taken down.")


def test_a_petition_cannot_be_taken_down_twice(petition, moderator, reason):
    take_down(petition, moderator, reason)
    refused(petition, lambda: take_down(petition, moderator, reason),
            "Only an open or closed petition can be taken down.")


def test_taking_down_needs_a_note(petition, moderator, reason):
    refused(petition, lambda: petition.take_down(by=moderator, reason=reason, note="  "),
            "Say why the petition is being taken down.")


@pytest.mark.parametrize("fixture", ["draft", "pending", "petition"])
def test_only_a_petition_taken_down_can_be_restored(request, fixture):
    subject = request.getfixturevalue(fixture)
    refused(subject, subject.restore, "Only a petition that was taken down can be restored.")
