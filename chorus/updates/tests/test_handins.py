"""A recorded hand-in is announced to the signers who asked for news: once, by the step."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.periodic.steps import Schedule, Step, _handins
from chorus.petitions.models import HandIn
from chorus.signatures.models import Signature
from chorus.updates.models import Mailing, Update
from chorus.updates.services import handins_announce

HANDIN = {"handed_in_on": "2026-11-20", "place": "Ministry of Justice",
          "received_by": "The chief of staff", "reference": "", "image_alt": "",
          "note": "Thirty volunteers came with us.", "answers_due": ""}


def signer(petition, address, *, updates, state=Signature.State.CONFIRMED):
    return Signature.objects.create(
        petition=petition, name="Signer", email=address, email_digest=email_digest(address),
        country="FR", state=state, updates=updates)


@pytest.fixture
def signers(petition):
    signer(petition, "wants.news@example.org", updates=True)
    signer(petition, "no.news@example.org", updates=False)
    signer(petition, "unconfirmed@example.org", updates=True, state=Signature.State.PENDING)


def announce_step():
    return Schedule(steps=[Step("handins", "announce", "announcehandins", _handins)])


def test_the_hand_in_is_e_mailed_to_consenting_signers_only_and_once(
        post, client, editor, petition, signers, django_capture_on_commit_callbacks):
    client.force_login(editor)
    post(reverse("petitions:targets:handin", args=[petition.slug]), HANDIN)
    assert mail.outbox == []  # never inside the request

    with django_capture_on_commit_callbacks(execute=True):
        announce_step().tick()
    with django_capture_on_commit_callbacks(execute=True):
        announce_step().tick()  # a second run finds it announced
    # A correction changes the page, and e-mails nobody again.
    post(reverse("petitions:targets:handin", args=[petition.slug]),
         {**HANDIN, "place": "The parliament"})
    with django_capture_on_commit_callbacks(execute=True):
        call_command("announcehandins")

    assert [message.to for message in mail.outbox] == [["wants.news@example.org"]]
    assert "The signatures were handed in" in mail.outbox[0].subject
    assert "Thirty volunteers came with us." in mail.outbox[0].body
    update = Update.objects.get()
    assert update.created_by == editor and Mailing.objects.get().sent == 1
    assert HandIn.objects.get().announced_at is not None
    assert AuditEntry.objects.filter(action="update.mail").count() == 1
    page = client.get(petition.get_absolute_url()).text
    assert "The parliament" in page


def test_a_hand_in_is_announced_in_the_petition_s_language(petition, owner, signers,
                                                           immediate_tasks):
    petition.language = "ru"
    petition.save()
    HandIn.objects.create(petition=petition, handed_in_on=datetime.date(2026, 11, 20),
                          place="Минюст", received_by="Помощник", recorded_by=owner)
    [update] = handins_announce()
    # The new sentences are translated at the next `make messages`; the date already is.
    assert "ноября 2026" in update.body and "Минюст" in update.body


def test_a_hand_in_of_a_petition_taken_down_is_not_announced(petition, owner, signers):
    HandIn.objects.create(petition=petition, handed_in_on=datetime.date(2026, 11, 20),
                          place="Ministry", received_by="Clerk", recorded_by=owner)
    petition.take_down(by=None, reason=None, note="A witness is named.")
    assert handins_announce() == []
    assert not Update.objects.exists()
