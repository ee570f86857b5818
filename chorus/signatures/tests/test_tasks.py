import errno
import os
import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chorus.lib.digests import email_digest
from chorus.lib.mail import ReadableFileBackend
from chorus.petitions.models import Petition
from chorus.signatures import services
from chorus.signatures.models import Signature
from chorus.signatures.tasks import (
    _claim_due,
    confirmations_send,
    send_due_confirmations,
)


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
    pending(petition, 2)
    call_command("sendconfirmations")
    assert "Sent 2 confirmation e-mails." in capsys.readouterr().out
    assert len(mailoutbox) == 2


# A worker killed, a mail server failing. The lease is CHORUS_MAIL_LEASE_SECONDS (300 s).
LEASE = timedelta(seconds=300)


def received(mailoutbox) -> list[str]:
    return sorted(message.to[0] for message in mailoutbox)


def killed_after_claiming(at):
    """A worker that claimed every due e-mail at `at` and was killed (-9) before sending any."""
    claimed, _ = _claim_due(at, 200)
    return claimed


def mail_server(monkeypatch, *, fail_on=(), error=None, refuse=None):
    """The test mailbox behind a server that raises `error` on the given calls
    (1 is the first e-mail) and refuses the addresses in `refuse` (address → SMTP code).

    Returns the list of calls made, and the number of connections opened.
    """
    calls, opened = [], []
    real_send, real_open = EmailBackend.send_messages, EmailBackend.open

    def send_messages(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) in fail_on:
            raise error
        refused = {m.to[0]: (refuse[m.to[0]], b"no") for m in messages if m.to[0] in (refuse or {})}
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(1) or real_open(self))
    return calls, opened


def due() -> list[str]:
    return sorted(s.email for s in Signature.objects.filter(confirmation_due=True))


def test_a_worker_killed_after_claiming_leaves_every_email_to_the_next_run_once_its_lease_ends(
    petition, mailoutbox
):
    pending(petition, 3)
    signed = timezone.now()
    assert len(killed_after_claiming(signed)) == 3

    assert due() == ["s0@example.org", "s1@example.org", "s2@example.org"]  # nothing marked sent
    # While the lease lasts the dead worker might still be sending: nobody else does.
    assert confirmations_send(now=signed + LEASE - timedelta(seconds=1)) == 0
    assert confirmations_send(now=signed + LEASE) == 3
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]
    assert confirmations_send(now=signed + 2 * LEASE) == 0
    assert len(mailoutbox) == 3


def test_a_worker_stopped_mid_batch_loses_nothing_and_sends_nothing_twice(
    petition, mailoutbox, monkeypatch
):
    pending(petition, 3)
    with monkeypatch.context() as patched:
        # Not an Exception: a forced stop (Ctrl-C, SystemExit) after the first e-mail.
        mail_server(patched, fail_on={2}, error=KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            send_due_confirmations.call()
    assert received(mailoutbox) == ["s0@example.org"]
    assert due() == ["s1@example.org", "s2@example.org"]

    # Given back, not left to its lease: the next run sends them at once.
    assert send_due_confirmations.call() == 2
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]


def test_a_batch_of_many_emails_goes_over_one_mail_connection(petition, mailoutbox, monkeypatch):
    pending(petition, 50)
    calls, opened = mail_server(monkeypatch)
    assert send_due_confirmations.call() == 50
    assert (len(calls), len(opened)) == (50, 1)
    assert len(set(received(mailoutbox))) == 50


def test_a_dropped_connection_is_opened_again_and_the_batch_goes_on(
    petition, mailoutbox, monkeypatch
):
    pending(petition, 3)
    calls, opened = mail_server(
        monkeypatch, fail_on={2}, error=smtplib.SMTPServerDisconnected("gone")
    )
    assert send_due_confirmations.call() == 3
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]
    assert len(opened) == 2
    assert due() == []


def test_an_address_the_server_refuses_for_good_is_recorded_and_the_others_still_go(
    petition, mailoutbox, monkeypatch
):
    pending(petition, 3)
    mail_server(monkeypatch, refuse={"s1@example.org": 550})
    assert send_due_confirmations.call() == 2
    assert received(mailoutbox) == ["s0@example.org", "s2@example.org"]

    refused = Signature.objects.get(confirmation_undeliverable_at__isnull=False)
    assert refused.email == "s1@example.org"
    assert Signature.objects.filter(confirmation_undeliverable_at__isnull=False).count() == 1
    # Not retried, not even once its lease would have ended.
    assert confirmations_send(now=timezone.now() + 2 * LEASE) == 0
    assert due() == []


def test_an_address_refused_for_now_is_retried_after_its_lease_and_the_others_still_go(
    petition, mailoutbox, monkeypatch
):
    pending(petition, 3)
    with monkeypatch.context() as patched:
        mail_server(patched, refuse={"s1@example.org": 450})  # greylisted
        assert send_due_confirmations.call() == 2
    assert due() == ["s1@example.org"]
    assert confirmations_send(now=timezone.now() + LEASE + timedelta(seconds=1)) == 1
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]
    assert not Signature.objects.filter(confirmation_undeliverable_at__isnull=False).exists()


@pytest.mark.parametrize("error", [
    smtplib.SMTPDataError(451, b"4.3.0 try again later, s1@example.org"),
    ConnectionRefusedError("connection refused"),
    TimeoutError("timed out"),
], ids=["4xx", "refused", "timeout"])
def test_a_mail_server_failing_mid_batch_leaves_every_unsent_email_due(
    petition, mailoutbox, monkeypatch, error
):
    pending(petition, 3)
    with monkeypatch.context() as patched:
        mail_server(patched, fail_on={2, 3, 4}, error=error)  # and again after reconnecting
        with pytest.raises(OSError) as raised:
            send_due_confirmations.call()
    # The server's words may name an address: the task's error keeps only the code.
    assert "@" not in str(raised.value)
    assert received(mailoutbox) == ["s0@example.org"]
    assert due() == ["s1@example.org", "s2@example.org"]
    assert not Signature.objects.filter(confirmation_undeliverable_at__isnull=False).exists()

    assert send_due_confirmations.call() == 2
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]


def test_a_mail_server_that_cannot_be_reached_leaves_everything_due(
    petition, mailoutbox, monkeypatch
):
    pending(petition, 2)
    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "open", lambda self: (_ for _ in ()).throw(
            ConnectionRefusedError("connection refused")))
        with pytest.raises(ConnectionRefusedError):
            send_due_confirmations.call()
    assert mailoutbox == []
    assert due() == ["s0@example.org", "s1@example.org"]
    assert send_due_confirmations.call() == 2


def test_a_signer_signing_again_while_their_email_is_claimed_gets_it_without_waiting(
    petition, mailoutbox
):
    pending(petition, 1)
    killed_after_claiming(timezone.now())
    services.signature_create(
        petition_id=petition.pk, name="Again", email="s0@example.org", country="PL"
    )
    # The request's own task sends it now, not once the dead worker's lease ends.
    assert send_due_confirmations.call() == 1
    assert received(mailoutbox) == ["s0@example.org"]


def test_the_periodic_step_queues_a_task_once_a_claim_has_run_out_unsent(petition):
    pending(petition, 1)
    claimed = timezone.now()
    assert services.confirmations_retry(now=claimed) is False  # its signing queued one
    killed_after_claiming(claimed)
    assert services.confirmations_retry(now=claimed + LEASE - timedelta(seconds=1)) is False
    assert not DBTaskResult.objects.exists()
    assert services.confirmations_retry(now=claimed + LEASE) is True
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "chorus.signatures.tasks.send_due_confirmations"


def test_the_command_sends_what_a_killed_worker_left_once_its_lease_ended(
    petition, mailoutbox, capsys
):
    pending(petition, 2)
    killed_after_claiming(timezone.now() - LEASE - timedelta(seconds=1))
    call_command("sendconfirmations")
    assert "Sent 2 confirmation e-mails." in capsys.readouterr().out
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org"]


def test_the_lease_lasts_as_long_as_the_setting_says(petition, mailoutbox, settings):
    settings.CHORUS_MAIL_LEASE_SECONDS = 60
    pending(petition, 1)
    claimed = timezone.now()
    killed_after_claiming(claimed)
    assert confirmations_send(now=claimed + timedelta(seconds=59)) == 0
    assert confirmations_send(now=claimed + timedelta(seconds=60)) == 1



def test_a_full_disk_under_the_mail_files_leaves_every_email_due_until_there_is_room(
    petition, settings, monkeypatch, tmp_path
):
    # `make run` writes e-mails to files; a full disk there is a mail server failing.
    settings.MAILERS = {"default": {"BACKEND": "chorus.lib.mail.ReadableFileBackend",
                                    "OPTIONS": {"file_path": str(tmp_path)}}}
    pending(petition, 2)

    def disk_full(self, message):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patched:
        patched.setattr(ReadableFileBackend, "write_message", disk_full)
        with pytest.raises(OSError):
            send_due_confirmations.call()
    assert due() == ["s0@example.org", "s1@example.org"]

    assert send_due_confirmations.call() == 2
    written = "".join(path.read_text() for path in tmp_path.iterdir())
    assert "To: s0@example.org" in written and "To: s1@example.org" in written
    assert due() == []


@pytest.mark.django_db(transaction=True)
def test_clearing_sent_emails_leaves_every_later_commit_durable(petition, mailoutbox):
    # Each cleared flag skips the wait for the disk in its own transaction only:
    # behind a transaction pooler, a session setting would reach other clients.
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    pending(petition, 3)
    assert send_due_confirmations.call() == 3
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    assert due() == []
