"""One reminder to the organisers per overdue target, however often the step runs."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.utils import timezone

from chorus.periodic.steps import Schedule, Step, _answers
from chorus.petitions.models import HandIn, Target
from chorus.petitions.targets.services import target_reminders_schedule
from chorus.petitions.targets.tasks import send_target_reminders
from chorus.testing import make_member

HANDED_IN = datetime.date(2027, 1, 21)
DUE = datetime.date(2027, 2, 20)
LATE = datetime.datetime(2027, 2, 21, 9, tzinfo=datetime.UTC)


class DownMailServer(LocmemBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


@pytest.fixture
def campaign(petition, owner, editor, viewer):
    minister = Target.objects.create(petition=petition, name="Minister of Justice")
    president = Target.objects.create(petition=petition, name="President", position=1)
    answered = Target.objects.create(petition=petition, name="Mayor", position=2,
                                     response_text="Yes.", response_date=DUE)
    HandIn.objects.create(petition=petition, handed_in_on=HANDED_IN, place="Main Street",
                          received_by="Clerk", answers_due=DUE, recorded_by=owner)
    return minister, president, answered


@pytest.fixture
def late(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: LATE)


def answers_step():
    return Schedule(steps=[Step("answers", "remind", "remindanswers", _answers)])


def test_the_step_reminds_owners_and_editors_once_per_overdue_target_even_run_twice(
        campaign, late, immediate_tasks, django_capture_on_commit_callbacks):
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            answers_step().tick()

    sent = sorted((message.to[0], message.subject) for message in mail.outbox)
    assert sent == [
        ("emil.editor@example.org", "No answer yet from Minister of Justice: Stop the lawsuit"),
        ("emil.editor@example.org", "No answer yet from President: Stop the lawsuit"),
        ("olga.owner@example.org", "No answer yet from Minister of Justice: Stop the lawsuit"),
        ("olga.owner@example.org", "No answer yet from President: Stop the lawsuit"),
    ]
    assert "/answer/" in mail.outbox[0].body
    assert Target.objects.filter(reminded_at__isnull=False).count() == 2


def test_a_second_run_queues_nothing_while_the_first_task_waits(campaign, late):
    first = target_reminders_schedule(now=LATE)
    second = target_reminders_schedule(now=LATE + datetime.timedelta(minutes=5))
    assert len(first) == 2 and second == []


def test_a_task_run_twice_sends_once(campaign, late):
    due = target_reminders_schedule(now=LATE)
    send_target_reminders.call(due)
    send_target_reminders.call(due)
    assert len(mail.outbox) == 4


def test_nothing_is_due_before_the_date_passes_or_without_a_date(campaign, monkeypatch, petition):
    on_the_day = datetime.datetime(2027, 2, 20, 23, tzinfo=datetime.UTC)
    assert target_reminders_schedule(now=on_the_day) == []
    HandIn.objects.filter(petition=petition).update(answers_due=None)
    assert target_reminders_schedule(now=LATE) == []


def test_a_failed_mail_server_leaves_the_reminder_to_a_later_run(campaign, late, settings):
    due = target_reminders_schedule(now=LATE)
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DownMailServer"}}
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_target_reminders.call(due)
    assert not Target.objects.filter(reminded_at__isnull=False).exists()

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    after_the_claim = LATE + datetime.timedelta(seconds=settings.CHORUS_MAIL_LEASE_SECONDS + 1)
    again = target_reminders_schedule(now=after_the_claim)
    assert sorted(again) == sorted(due)
    send_target_reminders.call(again)
    assert len(mail.outbox) == 4


def test_an_answer_recorded_meanwhile_cancels_its_reminder(campaign, late):
    minister, president, _answered = campaign
    due = target_reminders_schedule(now=LATE)
    minister.response_text, minister.response_date = "Soon.", DUE
    minister.save()
    send_target_reminders.call(due)
    assert {message.subject for message in mail.outbox} == {
        "No answer yet from President: Stop the lawsuit"}


def test_a_new_editor_is_not_reminded_again_of_a_target_already_reminded(
        campaign, late, organisation, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remindanswers")
    make_member(organisation, "new.editor@example.org", "editor")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("remindanswers")
    assert "new.editor@example.org" not in {message.to[0] for message in mail.outbox}
    assert len(mail.outbox) == 4
