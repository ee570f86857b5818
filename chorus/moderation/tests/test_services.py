import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.moderation import services
from chorus.moderation.tests.conftest import NOTE
from chorus.petitions.models import Petition, PetitionRevision, RejectionReason
from chorus.petitions.selectors import public_petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(immediate_tasks, django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_approving_opens_the_petition_and_forgets_the_cached_absence(
    pending, moderator, after_commit
):
    assert public_petition(pending.slug) is None  # "missing" is now cached
    with after_commit():
        services.petition_approve(petition=pending, moderator=moderator)
    assert public_petition(pending.slug).state == Petition.State.OPEN


def test_a_draft_is_not_approved_behind_the_organisers_back(draft, moderator):
    # A draft may have just been sent back by another moderator.
    with pytest.raises(ValidationError):
        services.petition_approve(petition=draft, moderator=moderator)
    draft.refresh_from_db()
    assert draft.state == Petition.State.DRAFT
    assert not AuditEntry.objects.exists()


def test_only_staff_can_decide(pending, owner):
    reason = RejectionReason.objects.first()
    with pytest.raises(PermissionDenied):
        services.petition_approve(petition=pending, moderator=owner)
    with pytest.raises(PermissionDenied):
        services.petition_reject(petition=pending, moderator=owner, reason=reason)
    with pytest.raises(PermissionDenied):
        services.petition_send_back(petition=pending, moderator=owner, note=NOTE)
    pending.refresh_from_db()
    assert pending.state == Petition.State.PENDING


def test_a_stale_copy_cannot_decide_twice(pending, moderator, mailoutbox, after_commit):
    stale = Petition.objects.get(pk=pending.pk)
    with after_commit():
        services.petition_send_back(petition=pending, moderator=moderator, note=NOTE)
    with pytest.raises(ValidationError), after_commit():
        services.petition_reject(petition=stale, moderator=moderator,
                                 reason=RejectionReason.objects.first())
    pending.refresh_from_db()
    assert pending.state == Petition.State.DRAFT and pending.rejection_reason is None
    assert [entry.action for entry in AuditEntry.objects.all()] == ["moderation.send_back"]
    assert len(mailoutbox) == 2  # the author and the owner, for the one decision


def test_a_rejection_is_audited_with_its_reason_and_without_any_address(pending, moderator):
    services.petition_reject(petition=pending, moderator=moderator,
                             reason=RejectionReason.objects.get(code="duplicate"), note="")
    entry = AuditEntry.objects.get()
    assert entry.action == "moderation.reject" and entry.details == {"reason": "duplicate"}
    assert "@" not in entry.actor_name


def test_a_correction_is_kept_and_forgets_the_cached_copy(petition, moderator, after_commit):
    assert public_petition(petition.slug).title == "Stop the lawsuit"
    with after_commit():
        revision = services.petition_correct(
            petition=petition, moderator=moderator,
            changes={"title": "Stop the lawsuits", "ask": petition.ask}, note="Plural.",
        )
    assert isinstance(revision, PetitionRevision)
    assert revision.changes == {"title": ["Stop the lawsuit", "Stop the lawsuits"]}
    assert public_petition(petition.slug).title == "Stop the lawsuits"


def test_a_correction_needs_a_reason_and_a_correctable_petition(petition, draft, moderator):
    with pytest.raises(ValidationError):
        services.petition_correct(petition=petition, moderator=moderator,
                                  changes={"title": "New"}, note=" ")
    with pytest.raises(ValidationError):
        services.petition_correct(petition=draft, moderator=moderator,
                                  changes={"title": "New"}, note="Typo.")
    assert not PetitionRevision.objects.exists()


def test_a_correction_touches_only_the_signed_text(petition, moderator):
    with pytest.raises(ValueError):
        services.petition_correct(petition=petition, moderator=moderator,
                                  changes={"goal": 5}, note="Sneaky.")


def test_a_response_is_recorded_audited_and_shown(petition, moderator, after_commit):
    public_petition(petition.slug)
    today = timezone.now().date()
    with after_commit():
        services.petition_response_record(petition=petition, moderator=moderator,
                                          text="We hear you.", date=today)
    assert public_petition(petition.slug).response_text == "We hear you."
    assert AuditEntry.objects.get().action == "moderation.response"


def test_a_response_from_the_future_changes_nothing(petition, moderator):
    with pytest.raises(ValidationError):
        services.petition_response_record(
            petition=petition, moderator=moderator, text="Later.",
            date=timezone.now().date() + datetime.timedelta(days=2),
        )
    petition.refresh_from_db()
    assert petition.response_text == "" and not AuditEntry.objects.exists()


# Taking down and restoring

@pytest.fixture
def published(pending):
    """Open for signing, written by the editor; olga owns the organisation."""
    pending.open()
    return pending


def take_down(petition, moderator, **extra):
    return services.petition_take_down(
        petition=petition, moderator=moderator, note="It names a witness.",
        reason=RejectionReason.objects.get(code="personal-data"), publish_reason=False, **extra,
    )


def test_a_takedown_and_a_restore_are_audited_without_the_note(published, moderator):
    take_down(published, moderator)
    services.petition_restore(petition=published, moderator=moderator)
    take_down_entry, restore_entry = AuditEntry.objects.order_by("pk")
    assert take_down_entry.action == "moderation.take_down"
    assert take_down_entry.details == {"reason": "personal-data", "reason_published": False}
    assert take_down_entry.target_id == str(published.pk)
    assert restore_entry.action == "moderation.restore"
    assert "witness" not in str(take_down_entry.details) + str(restore_entry.details)


def test_the_author_and_each_owner_get_one_email_for_each(published, moderator, editor, owner,
                                                          mailoutbox, after_commit):
    with after_commit():
        take_down(published, moderator)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([editor.email, owner.email])
    assert all("taken down" in m.subject for m in mailoutbox)
    with after_commit():
        services.petition_restore(petition=published, moderator=moderator)
    restored = mailoutbox[2:]
    assert sorted(m.to[0] for m in restored) == sorted([editor.email, owner.email])
    assert all("public again" in m.subject for m in restored)


def test_nothing_is_sent_inside_the_request(published, moderator, mailoutbox, immediate_tasks):
    take_down(published, moderator)
    assert mailoutbox == []


def test_a_takedown_forgets_the_cached_public_copy(published, moderator, after_commit):
    assert public_petition(published.slug).state == Petition.State.OPEN  # now cached
    with after_commit():
        take_down(published, moderator)
    assert public_petition(published.slug) is None
    with after_commit():
        services.petition_restore(petition=published, moderator=moderator)
    assert public_petition(published.slug).state == Petition.State.OPEN


def test_only_staff_can_take_down_or_restore(published, owner, moderator):
    with pytest.raises(PermissionDenied):
        take_down(published, owner)
    take_down(published, moderator)
    with pytest.raises(PermissionDenied):
        services.petition_restore(petition=published, moderator=owner)
    published.refresh_from_db()
    assert published.state == Petition.State.TAKEN_DOWN
    assert [entry.action for entry in AuditEntry.objects.all()] == ["moderation.take_down"]


def test_a_refused_takedown_is_neither_audited_nor_mailed(pending, moderator, mailoutbox,
                                                         after_commit):
    with pytest.raises(ValidationError), after_commit():
        take_down(pending, moderator)
    with pytest.raises(ValidationError), after_commit():
        services.petition_restore(petition=pending, moderator=moderator)
    pending.refresh_from_db()
    assert pending.state == Petition.State.PENDING
    assert not AuditEntry.objects.exists() and mailoutbox == []
