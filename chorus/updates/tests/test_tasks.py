"""Sending an update to the signers who agreed to hear more, in batches."""

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.signatures.models import Signature
from chorus.updates import tokens
from chorus.updates.models import Mailing, Update
from chorus.updates.services import mailing_start
from chorus.updates.tasks import send_mailing


class FailingBackend(LocmemBackend):
    """A mail server that goes away after accepting `accept` messages in all."""

    accept = 0

    def send_messages(self, messages):
        if len(mail.outbox) >= self.accept:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


@pytest.fixture
def failing_mail_server(settings):
    def fail_after(accept):
        FailingBackend.accept = accept
        settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}

    return fail_after


@pytest.fixture
def working_mail_server(settings):
    def restore():
        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    return restore


def make_signers(petition, n, *, start=0, updates=True, state=Signature.State.CONFIRMED):
    return Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {i}", email=f"signer{i}@example.org",
            email_digest=email_digest(f"signer{i}@example.org"), country="FR",
            state=state, updates=updates,
        )
        for i in range(start, start + n)
    )


@pytest.fixture
def update(petition, owner):
    return Update.objects.create(
        petition=petition, title="The court threw the case out", created_by=owner,
        body="We **won** in court.",
    )


def recipients_of(outbox):
    return Counter(address for message in outbox for address in message.to)


def test_an_interrupted_mailing_resumed_reaches_each_consenting_signer_exactly_once(
    client, settings, petition, update, owner, mailoutbox, failing_mail_server,
    working_mail_server, django_capture_on_commit_callbacks,
):
    settings.CHORUS_MAILING_BATCH_SIZE = 500
    consenting = make_signers(petition, 10_050)
    declined = make_signers(petition, 100, start=20_000, updates=False)
    make_signers(petition, 30, start=30_000, state=Signature.State.PENDING)
    failing_mail_server(5_000)

    with django_capture_on_commit_callbacks() as callbacks:
        mailing = mailing_start(update=update, actor=owner)
    assert mailing.recipients == 10_050
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_mailing.call(mailing.pk)
    mailing.refresh_from_db()
    assert (mailing.sent, len(mailoutbox), mailing.finished_at) == (5_000, 5_000, None)
    assert len(callbacks) == 1  # the task is enqueued only once the mailing is committed

    # Between the failure and the resume, 50 of those not yet e-mailed unsubscribe.
    leaving = consenting[-50:]
    for signature in leaving:
        url = reverse("updates:unsubscribe", args=[tokens.unsubscribe_token(signature.pk)])
        assert client.post(url).status_code == 200

    working_mail_server()
    call_command("sendmailings")

    mailing.refresh_from_db()
    received = recipients_of(mailoutbox)
    assert len(mailoutbox) == 10_000
    assert set(received.values()) == {1}
    assert set(received) == {signature.email for signature in consenting[:10_000]}
    assert not set(received) & {signature.email for signature in [*declined, *leaving]}
    assert mailing.sent == 10_000 and mailing.finished_at is not None
    # The safety net finds nothing more to do.
    call_command("sendmailings")
    assert len(mailoutbox) == 10_000


class WorkerKilled(BaseException):
    """The worker process dies (nothing after this line of Python runs)."""


class DyingBackend(LocmemBackend):
    def send_messages(self, messages):
        if len(mail.outbox) >= 150:
            raise WorkerKilled
        return super().send_messages(messages)


def test_a_mailing_whose_worker_died_is_taken_up_after_its_lease_without_repeats(
    settings, petition, update, owner, mailoutbox, working_mail_server,
):
    settings.CHORUS_MAILING_BATCH_SIZE = 100
    consenting = make_signers(petition, 300)
    mailing = mailing_start(update=update, actor=owner)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DyingBackend"}}
    with pytest.raises(WorkerKilled):
        send_mailing.call(mailing.pk)
    # A killed process never releases its lease: while it lasts, nobody else sends.
    leased_until = timezone.now() + timedelta(minutes=1)
    Mailing.objects.filter(pk=mailing.pk).update(leased_until=leased_until)
    working_mail_server()
    assert send_mailing.call(mailing.pk) == 0
    assert len(mailoutbox) == 150

    Mailing.objects.filter(pk=mailing.pk).update(leased_until=timezone.now() - timedelta(1))
    call_command("sendmailings")
    received = recipients_of(mailoutbox)
    assert len(mailoutbox) == 300 and set(received.values()) == {1}
    assert set(received) == {signature.email for signature in consenting}


def test_an_update_email_has_a_one_click_unsubscribe(
    settings, petition, update, owner, mailoutbox, immediate_tasks,
    django_capture_on_commit_callbacks,
):
    [signature] = make_signers(petition, 1)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_start(update=update, actor=owner)
    [message] = mailoutbox
    link = settings.SITE_URL + reverse(
        "updates:unsubscribe", args=[tokens.unsubscribe_token(signature.pk)]
    )
    assert message.subject == "Stop the lawsuit: The court threw the case out"
    assert message.to == [signature.email]
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "We **won** in court." in message.body
    assert link in message.body
    assert "agreed to hear more" in message.body
    html, _type = message.alternatives[0]
    assert "<strong>won</strong>" in html


def test_a_discreet_petition_sends_updates_from_a_neutral_sender_and_subject(
    settings, petition, update, owner, mailoutbox, immediate_tasks,
    django_capture_on_commit_callbacks,
):
    petition.discreet_email = True
    petition.save()
    make_signers(petition, 1)
    with django_capture_on_commit_callbacks(execute=True):
        mailing_start(update=update, actor=owner)
    [message] = mailoutbox
    assert message.from_email == settings.CHORUS_DISCREET_FROM_EMAIL
    assert "lawsuit" not in message.subject and "court" not in message.subject


def test_a_mailing_with_nobody_to_write_to_finishes_at_once(petition, update, owner, mailoutbox):
    make_signers(petition, 3, updates=False)
    mailing = mailing_start(update=update, actor=owner)
    assert mailing.recipients == 0 and mailing.is_finished
    assert mailoutbox == []


def test_people_who_sign_after_the_mailing_started_are_not_added(
    petition, update, owner, mailoutbox,
):
    make_signers(petition, 3)
    mailing = mailing_start(update=update, actor=owner)
    make_signers(petition, 2, start=100)
    send_mailing.call(mailing.pk)
    assert len(mailoutbox) == 3


def test_an_update_is_mailed_only_once(petition, update, owner, mailoutbox):
    from django.core.exceptions import ValidationError

    make_signers(petition, 2)
    mailing_start(update=update, actor=owner)
    with pytest.raises(ValidationError):
        mailing_start(update=update, actor=owner)
    assert Mailing.objects.count() == 1
