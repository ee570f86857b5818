from datetime import timedelta
from unittest import mock

import pytest
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
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


def signed_again_after_confirming(petition, email="s0@example.org", **fields):
    """A signer who confirmed and has just signed again: their row is due once more."""
    [signature] = pending(petition, 1)
    Signature.objects.filter(pk=signature.pk).update(confirmation_due=False, **fields)
    signature.confirm()
    services.signature_create(petition_id=petition.pk, name="Again", email=email, country="PL")
    return signature


def test_a_signer_who_confirmed_and_signed_again_is_told_so_once(petition, mailoutbox):
    signed_again_after_confirming(petition)
    assert send_due_confirmations.call() == 1
    [notice] = mailoutbox
    assert notice.subject == "You have already signed “Stop the lawsuit”"
    assert "S 0" in notice.body and "/signature/" in notice.body
    assert "/confirm/" not in notice.body and "/confirm/" not in notice.alternatives[0].content
    assert send_due_confirmations.call() == 0


def test_the_already_signed_email_is_in_the_language_signed_in(petition, mailoutbox):
    signed_again_after_confirming(petition, language="ru")
    send_due_confirmations.call()
    assert mailoutbox[0].subject == "Вы уже подписали «Stop the lawsuit»"


def test_the_already_signed_email_of_a_discreet_petition_names_nothing(petition, mailoutbox):
    Petition.objects.filter(pk=petition.pk).update(discreet_email=True)
    signed_again_after_confirming(petition)
    send_due_confirmations.call()
    [notice] = mailoutbox
    assert notice.subject == "Your action is already confirmed"
    assert notice.from_email.startswith("Confirmation <")
    for text in [notice.body, notice.alternatives[0].content]:
        assert petition.title not in text and "petition" not in text.lower()
        assert "/signature/" in text


def test_a_count_only_signer_whose_data_is_gone_gets_no_email(petition, mailoutbox):
    Petition.objects.filter(pk=petition.pk).update(count_only=True)
    [signature] = pending(petition, 1)
    services.signature_confirm(signature=signature)  # keeps only country and digest
    services.signature_create(
        petition_id=petition.pk, name="Again", email="s0@example.org", country="PL"
    )
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
