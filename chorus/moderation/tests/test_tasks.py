import pytest
from django.conf import settings

from chorus.moderation import tasks
from chorus.moderation.tests.conftest import NOTE
from chorus.petitions.models import RejectionReason
from chorus.testing import make_member

pytestmark = pytest.mark.django_db


def test_the_author_who_is_also_an_owner_gets_one_email(draft, owner, mailoutbox):
    draft.submit()
    draft.open()
    assert tasks.send_decision.call(draft.pk, tasks.APPROVED, "en") == 1
    (message,) = mailoutbox
    assert message.to == [owner.email]
    assert message.subject == "Your petition is open: Free the press"
    assert settings.SITE_URL + draft.get_absolute_url() in message.body


def test_every_owner_hears_of_the_decision_but_not_viewers_or_former_members(
    pending, organisation, editor, owner, viewer, mailoutbox
):
    second_owner = make_member(organisation, "oscar.owner@example.org", "owner")
    gone = make_member(organisation, "gina.gone@example.org", "owner")
    gone.is_active = False
    gone.save()
    pending.send_back(note=NOTE)
    assert tasks.send_decision.call(pending.pk, tasks.SENT_BACK, "en") == 3
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [editor.email, owner.email, second_owner.email])
    # Each e-mail is addressed to one person only.
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)


def test_the_rejection_email_gives_the_reason_and_the_note(pending, owner, mailoutbox):
    pending.reject(reason=RejectionReason.objects.get(code="advertising"), note="Selling shoes.")
    tasks.send_decision.call(pending.pk, tasks.REJECTED, "en")
    body = mailoutbox[0].body
    assert "Advertising or spam" in body
    assert "must not promote a product" in body
    assert "Selling shoes." in body
    assert "&" not in mailoutbox[0].subject


def test_a_decision_overtaken_by_another_sends_nothing(pending, mailoutbox):
    pending.send_back(note=NOTE)
    pending.submit()
    assert tasks.send_decision.call(pending.pk, tasks.SENT_BACK, "en") == 0
    assert not mailoutbox


def test_a_deleted_petition_sends_nothing(mailoutbox, db):
    assert tasks.send_decision.call(999_999, tasks.APPROVED, "en") == 0
    assert not mailoutbox


def test_emails_are_plain_text_without_html_escaping(pending, owner, mailoutbox):
    pending.title = "Rights & \"freedom\" <now>"
    pending.save()
    pending.send_back(note="Use “quotes” & be clear <please>.")
    tasks.send_decision.call(pending.pk, tasks.SENT_BACK, "en")
    message = mailoutbox[0]
    assert not getattr(message, "alternatives", None)
    assert 'Rights & "freedom" <now>' in message.subject
    assert "Use “quotes” & be clear <please>." in message.body


def test_the_takedown_email_gives_the_reason_the_note_and_whether_the_public_sees_it(
    pending, owner, moderator, mailoutbox
):
    pending.open()
    pending.take_down(by=moderator, reason=RejectionReason.objects.get(code="personal-data"),
                      note="It names a witness.", publish_reason=True)
    assert tasks.send_decision.call(pending.pk, tasks.TAKEN_DOWN, "en") == 2
    message = mailoutbox[0]
    assert message.subject == "Your petition was taken down: Release the journalists"
    for expected in ("Names or identifies private people", "must not expose private people",
                     "It names a witness.", "The reason is shown on the public page.",
                     "signatures and count are kept"):
        assert expected in message.body


def test_the_restore_email_says_it_is_public_and_signable_again(pending, owner, moderator,
                                                              mailoutbox):
    pending.open()
    pending.take_down(by=moderator, reason=RejectionReason.objects.first(), note="Check.")
    pending.restore()
    assert tasks.send_decision.call(pending.pk, tasks.RESTORED, "en") == 2
    message = mailoutbox[0]
    assert message.subject == "Your petition is public again: Release the journalists"
    assert "Anyone can sign it again." in message.body
    assert settings.SITE_URL + pending.get_absolute_url() in message.body


def test_a_takedown_undone_before_the_worker_sends_nothing(pending, moderator, mailoutbox):
    pending.open()
    pending.take_down(by=moderator, reason=RejectionReason.objects.first(), note="Check.")
    pending.restore()
    assert tasks.send_decision.call(pending.pk, tasks.TAKEN_DOWN, "en") == 0
    assert mailoutbox == []
