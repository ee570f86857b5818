from datetime import timedelta
from unittest import mock

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chorus.lib.digests import email_digest
from chorus.signatures import services
from chorus.signatures.models import Signature
from chorus.signatures.tasks import send_due_confirmations


def pending(petition, n, start=0):
    return Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S {i}", email=f"s{i}@example.org",
                  email_digest=email_digest(f"s{i}@example.org"), country="PL")
        for i in range(start, start + n)
    )


def test_it_sends_every_due_email_once(petition, mailoutbox):
    pending(petition, 5)
    assert send_due_confirmations.call() == 5
    assert sorted(m.to[0] for m in mailoutbox) == [f"s{i}@example.org" for i in range(5)]
    assert send_due_confirmations.call() == 0
    assert len(mailoutbox) == 5
    assert not Signature.objects.filter(confirmation_due=True).exists()


def test_it_sends_nothing_to_signatures_no_longer_pending(petition, mailoutbox):
    [confirmed, invalidated] = pending(petition, 2)
    confirmed.confirm()
    invalidated.invalidate()
    assert send_due_confirmations.call() == 0
    assert mailoutbox == []


def test_a_failed_send_leaves_the_rest_due_for_the_next_run(petition, mailoutbox):
    pending(petition, 3)
    real_send = EmailMessage.send
    calls = []

    def flaky_send(message, *args, **kwargs):
        calls.append(message.to)
        if len(calls) == 2:
            raise ConnectionError("SMTP server went away")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", flaky_send):
        with pytest.raises(ConnectionError):
            send_due_confirmations.call()
    assert len(mailoutbox) == 1
    assert Signature.objects.filter(confirmation_due=True).count() == 2
    assert send_due_confirmations.call() == 2
    assert len(mailoutbox) == 3


def test_an_unwritable_address_does_not_hold_up_the_others(petition, mailoutbox):
    # Stored before the form learnt to refuse such domains.
    Signature.objects.create(
        petition=petition, name="Broken", email="a@\ufffd.org", email_digest="b" * 64,
        country="PL",
    )
    pending(petition, 2)
    assert send_due_confirmations.call() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["s0@example.org", "s1@example.org"]
    assert not Signature.objects.filter(confirmation_due=True).exists()


def test_a_rush_schedules_one_sending_task_per_window(
    client, petition, signer, settings, django_capture_on_commit_callbacks
):
    settings.CHORUS_CONFIRMATION_BATCH_SECONDS = 1
    services._next_drain_at = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            client.post(f"/petitions/{petition.slug}/sign/", {**signer, "email": f"r{i}@x.org"})
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "chorus.signatures.tasks.send_due_confirmations"
    # It runs after the window, and so sends every e-mail of the window.
    assert task.run_after > timezone.now()
    assert task.run_after < timezone.now() + timedelta(seconds=2)


def test_the_command_sends_what_is_due(petition, mailoutbox, capsys):
    from django.core.management import call_command

    pending(petition, 2)
    call_command("sendconfirmations")
    assert "Sent 2 confirmation e-mails." in capsys.readouterr().out
    assert len(mailoutbox) == 2
