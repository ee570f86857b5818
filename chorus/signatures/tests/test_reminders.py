"""Reminders to confirm: the worker's task, its periodic scheduling and `sendreminders`."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature
from chorus.signatures.services import reminders_schedule
from chorus.signatures.tasks import reminders_send

SIGNED = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOURS = timedelta(hours=1)


def unconfirmed(petition, email="nadia@example.org", **fields):
    """A signature made at SIGNED whose confirmation e-mail has gone out."""
    return Signature.objects.create(
        petition=petition, name="Nadia Petrova", email=email, email_digest=email_digest(email),
        country="DE", created_at=SIGNED, confirmation_due=False, **fields,
    )


def remind_at(hours: float) -> int:
    return reminders_send(now=SIGNED + hours * HOURS)


def test_nobody_is_reminded_before_a_day_has_passed(petition, mailoutbox):
    unconfirmed(petition)
    assert remind_at(23.9) == 0
    assert mailoutbox == []


def test_an_unconfirmed_signer_is_reminded_once_after_a_day(petition, mailoutbox):
    unconfirmed(petition)
    assert remind_at(24) == 1
    assert remind_at(25) == 0
    [reminder] = mailoutbox
    assert reminder.to == ["nadia@example.org"]
    assert reminder.subject == "Reminder: please confirm your signature: Stop the lawsuit"
    assert "This is a reminder" in reminder.body and "/confirm/" in reminder.body


def test_a_second_reminder_follows_after_three_days_and_then_no_more(petition, mailoutbox):
    unconfirmed(petition)
    assert [remind_at(hours) for hours in (24, 71.9, 72, 100, 500)] == [1, 0, 1, 0, 0]
    assert len(mailoutbox) == 2


def test_the_reminders_link_shows_a_button_and_only_pressing_it_confirms(
    client, petition, mailoutbox
):
    signature = unconfirmed(petition)
    remind_at(24)
    link = re.search(r"http://[^/\s]+(/confirm/\S+/)", mailoutbox[0].body).group(1)

    assert "Confirm my signature" in client.get(link).content.decode()
    signature.refresh_from_db()
    assert signature.state == Signature.State.PENDING
    client.post(link)
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED


def test_a_signer_who_confirmed_is_reminded_no_more(petition, mailoutbox):
    signature = unconfirmed(petition)
    remind_at(24)
    signature.confirm()
    assert remind_at(72) == 0
    assert len(mailoutbox) == 1


def test_nobody_is_reminded_once_the_petition_closed(petition, mailoutbox):
    unconfirmed(petition)
    petition.close()
    assert remind_at(24) == 0
    assert mailoutbox == []


def test_nobody_is_reminded_once_the_petitions_closing_date_passed(petition, mailoutbox):
    unconfirmed(petition)
    Petition.objects.filter(pk=petition.pk).update(closes_at=SIGNED + 20 * HOURS)
    assert remind_at(24) == 0


@pytest.mark.parametrize("state", ["withdrawn", "erased", "invalidated", "confirmed"])
def test_signatures_no_longer_waiting_for_confirmation_get_no_reminder(
    petition, mailoutbox, state
):
    unconfirmed(petition, state=state)
    assert remind_at(24) == 0
    assert mailoutbox == []


def test_a_held_signature_is_reminded_like_a_pending_one_until_its_signer_confirms(
    petition, mailoutbox
):
    held = unconfirmed(petition, state=Signature.State.HELD, held_reason="ip-limit")
    unconfirmed(petition, email="ilse@example.org", state=Signature.State.HELD,
                held_reason="ip-limit", confirmed_at=SIGNED + HOURS)
    assert remind_at(24) == 1
    assert mailoutbox[0].to == ["nadia@example.org"]
    held.confirm()
    assert remind_at(72) == 0


def test_an_address_the_mail_server_refused_for_good_is_not_reminded(petition, mailoutbox):
    unconfirmed(petition, confirmation_undeliverable_at=SIGNED)
    unconfirmed(petition, email="ilse@example.org")
    assert remind_at(24) == 1
    assert received(mailoutbox) == ["ilse@example.org"]


def test_reminders_stop_at_the_limit_of_emails_per_signature(petition, mailoutbox, settings):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 3
    # The confirmation, and one more after a second signature from the address.
    unconfirmed(petition, confirmation_sends=2)
    unconfirmed(petition, email="ilse@example.org", confirmation_sends=3)
    assert remind_at(24) == 1
    assert remind_at(72) == 0
    assert [m.to for m in mailoutbox] == [["nadia@example.org"]]
    assert Signature.objects.get(email_digest=email_digest("nadia@example.org")) \
        .confirmation_sends == 3


def test_the_reminder_is_in_the_language_signed_in(petition, mailoutbox):
    unconfirmed(petition, language="ru")
    remind_at(24)
    assert mailoutbox[0].subject == "Напоминание: пожалуйста, подтвердите подпись: Stop the lawsuit"


def test_the_reminder_of_a_discreet_petition_names_nothing(petition, mailoutbox):
    Petition.objects.filter(pk=petition.pk).update(discreet_email=True)
    unconfirmed(petition)
    remind_at(24)
    [reminder] = mailoutbox
    assert reminder.subject == "Reminder: please confirm your action"
    assert reminder.from_email.startswith("Confirmation <")
    for text in [reminder.body, reminder.alternatives[0].content]:
        assert petition.title not in text and "petition" not in text.lower()
        assert "reminder" in text.lower() and "/confirm/" in text


def test_either_reminder_can_be_turned_off(petition, mailoutbox, settings):
    settings.CHORUS_REMINDER_AFTER = 0
    unconfirmed(petition)
    assert [remind_at(hours) for hours in (24, 72, 200)] == [0, 1, 0]
    settings.CHORUS_REMINDER_SECOND_AFTER = 0
    unconfirmed(petition, email="ilse@example.org")
    assert [remind_at(hours) for hours in (24, 72, 200)] == [0, 0, 0]


def test_after_an_outage_a_signer_gets_one_reminder_not_two_at_once(petition, mailoutbox):
    unconfirmed(petition)
    assert remind_at(100) == 1
    assert remind_at(100.1) == 0  # the next run, five minutes later
    assert remind_at(148) == 1  # the gap between the two reminders, two days
    assert len(mailoutbox) == 2


def test_a_batch_is_sent_over_one_mail_connection(petition, mailoutbox, monkeypatch):
    opened = []
    real_open = EmailBackend.open
    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(1) or real_open(self))
    for i in range(3):
        unconfirmed(petition, email=f"s{i}@example.org")
    assert remind_at(24) == 3
    assert len(opened) == 1


def failing_after_the_first_message(monkeypatch, error):
    real_send = EmailBackend.send_messages
    calls = []

    def send_messages(self, messages):
        calls.append(messages)
        if len(calls) > 1:
            raise error
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)


def received(mailoutbox) -> list[str]:
    return sorted(message.to[0] for message in mailoutbox)


def test_a_mail_server_failing_mid_batch_makes_nobody_get_a_reminder_twice(
    petition, mailoutbox, monkeypatch
):
    for i in range(4):
        unconfirmed(petition, email=f"s{i}@example.org")
    with monkeypatch.context() as patched:
        failing_after_the_first_message(patched, ConnectionError("SMTP server went away"))
        with pytest.raises(ConnectionError):
            remind_at(24)
    assert received(mailoutbox) == ["s0@example.org"]

    # The one in flight may have arrived: it is not sent again. The rest are.
    assert remind_at(24.1) == 2
    assert received(mailoutbox) == ["s0@example.org", "s2@example.org", "s3@example.org"]


def test_a_worker_stopped_mid_batch_gives_back_what_it_had_not_sent(
    petition, mailoutbox, monkeypatch
):
    for i in range(3):
        unconfirmed(petition, email=f"s{i}@example.org")
    with monkeypatch.context() as patched:
        # Ctrl-C or a second SIGTERM: not an Exception, and the rest is given back all the same.
        failing_after_the_first_message(patched, KeyboardInterrupt())
        with pytest.raises(KeyboardInterrupt):
            remind_at(24)

    assert remind_at(24.1) == 1  # s2; s1 was in flight and may have arrived: not again
    assert received(mailoutbox) == ["s0@example.org", "s2@example.org"]


def test_a_worker_killed_after_claiming_sends_nobody_the_same_reminder_twice(
    petition, mailoutbox
):
    from chorus.signatures.tasks import _claim_reminders, _reminder_delays

    for i in range(3):
        unconfirmed(petition, email=f"s{i}@example.org")
    # Killed right after its claim: the reminders are counted, none sent, nothing runs after.
    assert len(_claim_reminders(SIGNED + 24 * HOURS, _reminder_delays(), 200)) == 3

    assert remind_at(24.1) == 0  # at most once: this reminder is lost
    assert remind_at(72) == 3  # but not the next one
    assert received(mailoutbox) == ["s0@example.org", "s1@example.org", "s2@example.org"]


def test_a_refused_address_gets_no_more_reminders_and_a_deferred_one_the_next(
    petition, mailoutbox, monkeypatch
):
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    refused, deferred = (unconfirmed(petition, email=f"{who}@example.org")
                         for who in ("refused", "deferred"))
    real_send = EmailBackend.send_messages

    def send_messages(self, messages):
        to = messages[0].to[0]
        if to.startswith("refused"):
            raise smtplib.SMTPRecipientsRefused({to: (550, b"no such user")})
        if to.startswith("deferred"):
            raise smtplib.SMTPRecipientsRefused({to: (451, b"try later")})
        return real_send(self, messages)

    with monkeypatch.context() as patched:
        patched.setattr(EmailBackend, "send_messages", send_messages)
        assert remind_at(24) == 0
    refused.refresh_from_db()
    assert refused.confirmation_undeliverable_at is not None
    assert remind_at(24.2) == 0  # at most once: a deferred reminder counts as spent
    assert remind_at(72) == 1  # the next one; nothing more for the refused address
    assert received(mailoutbox) == ["deferred@example.org"]


def test_the_periodic_step_queues_the_task_only_when_a_reminder_is_due(petition):
    unconfirmed(petition)
    assert reminders_schedule(now=SIGNED + 23 * HOURS) is False
    assert not DBTaskResult.objects.exists()
    assert reminders_schedule(now=SIGNED + 24 * HOURS) is True
    [task] = DBTaskResult.objects.all()
    assert task.task_path == "chorus.signatures.tasks.send_due_reminders"


def test_sendreminders_sends_what_is_due(petition, mailoutbox, capsys):
    unconfirmed(petition)
    Signature.objects.update(created_at=timezone.now() - 25 * HOURS)
    call_command("sendreminders")
    assert "Reminders sent: 1." in capsys.readouterr().out
    assert len(mailoutbox) == 1
