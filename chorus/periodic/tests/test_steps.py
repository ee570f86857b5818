"""One periodic tick: counting, then milestones, closing, (once a minute) trending and
confirmations left unsent, and (every five minutes) reminders."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from chorus.lib.digests import email_digest
from chorus.periodic import steps
from chorus.periodic.steps import Schedule, Step
from chorus.petitions.models import Milestone, Petition
from chorus.signatures.models import Signature


def confirmed(petition, n):
    Signature.objects.bulk_create(
        Signature(petition=petition, name=f"Signer {i}", email=f"s{i}@example.org",
                  email_digest=email_digest(f"s{i}@example.org"),
                  state=Signature.State.CONFIRMED)
        for i in range(n)
    )


def test_a_tick_counts_then_records_the_milestones_the_new_count_passed(petition):
    confirmed(petition, 30)  # the goal is 100

    tick = Schedule().tick()

    assert tick.count_changes == {petition.pk: 30}
    assert Petition.objects.get(pk=petition.pk).signature_count == 30
    assert list(Milestone.objects.values_list("threshold", flat=True)) == [25]


def test_a_tick_closes_petitions_past_their_closing_date(petition):
    past = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    Petition.objects.filter(pk=petition.pk).update(closes_at=past)

    Schedule().tick()

    assert Petition.objects.get(pk=petition.pk).state == Petition.State.CLOSED


def test_trending_detection_runs_at_most_once_a_minute(monkeypatch, db):
    runs = []
    monkeypatch.setattr(steps, "trending_detect", lambda: runs.append(1))
    times = iter([1000.0, 1030.0, 1061.0])
    clock = {"now": 0.0}
    schedule = Schedule(
        steps=[step for step in steps.STEPS if step.name == "trending"],
        clock=lambda: clock["now"],
    )
    for at in times:
        clock["now"] = at
        schedule.tick()

    # At 1000 s it runs, 30 s later it is not due, 61 s after the first it is.
    assert len(runs) == 2


def test_reminders_are_queued_at_most_every_five_minutes(monkeypatch, db):
    runs = []
    monkeypatch.setattr(steps, "reminders_schedule", lambda now: runs.append(now))
    clock = {"now": 0.0}
    schedule = Schedule(
        steps=[step for step in steps.STEPS if step.name == "reminders"],
        clock=lambda: clock["now"],
    )
    for at in [1000.0, 1200.0, 1301.0]:
        clock["now"] = at
        schedule.tick()

    assert len(runs) == 2


def test_confirmations_left_by_a_dead_worker_are_queued_at_most_once_a_minute(
    monkeypatch, db
):
    runs = []
    monkeypatch.setattr(steps, "confirmations_retry", lambda now: runs.append(now))
    clock = {"now": 0.0}
    schedule = Schedule(
        steps=[step for step in steps.STEPS if step.name == "confirmations"],
        clock=lambda: clock["now"],
    )
    for at in [1000.0, 1030.0, 1061.0]:
        clock["now"] = at
        schedule.tick()

    assert len(runs) == 2


def test_a_failing_step_is_logged_and_the_others_still_run(caplog, db):
    ran = []

    def broken(tick):
        raise RuntimeError("database gone")

    schedule = Schedule(steps=[
        Step("broken", "fails", "none", broken),
        Step("after", "runs anyway", "none", lambda tick: ran.append(tick)),
    ])
    schedule.tick()

    assert "periodic step 'broken' failed" in caplog.text
    assert len(ran) == 1


def test_runperiodic_once_runs_every_step_in_order(petition, monkeypatch):
    order = []
    recorded = [
        Step(step.name, step.does, step.command,
             lambda tick, name=step.name: order.append(name), step.every)
        for step in steps.STEPS
    ]
    monkeypatch.setattr(steps, "STEPS", recorded)

    call_command("runperiodic", "--once")

    assert order == ["count", "log", "milestones", "close", "trending", "confirmations",
                     "reminders", "seal", "handins", "answers"]


def test_its_help_lists_every_step_and_the_command_that_runs_it_alone(capsys):
    from chorus.periodic.management.commands.runperiodic import Command

    help_text = Command().help
    for step in steps.STEPS:
        assert step.name in help_text and step.command in help_text


# While the database cannot be reached (chorus.testing.Outage: real on PostgreSQL).

def test_a_tick_that_cannot_reach_the_database_stops_and_logs_one_line(petition, outage, caplog):
    schedule = Schedule()
    outage.start()

    first, second = schedule.tick(), schedule.tick()

    assert first.database_error is not None and second.database_error is not None
    warnings = [record for record in caplog.records if record.name == "chorus.periodic.steps"]
    assert len(warnings) == 1
    assert "database unreachable" in warnings[0].getMessage()
    assert "Traceback" not in caplog.text


def test_once_the_database_is_back_the_next_tick_runs_every_step(petition, outage, caplog):
    schedule = Schedule()
    outage.start()
    schedule.tick()
    outage.end()
    confirmed(petition, 30)

    tick = schedule.tick()

    assert tick.database_error is None
    assert tick.count_changes == {petition.pk: 30}
    assert Petition.objects.get(pk=petition.pk).signature_count == 30
    assert "database reachable again" in caplog.text


def test_runperiodic_keeps_running_through_an_outage(petition, outage, monkeypatch):
    class Stop(Exception):
        pass

    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            outage.end()
            confirmed(petition, 30)
        else:
            raise Stop

    monkeypatch.setattr("time.sleep", sleep)
    outage.start()

    with pytest.raises(Stop):
        call_command("runperiodic", "--interval", "2")

    # It waited the retry time after the failed tick, then counted on the next one.
    assert pauses == [10, 2.0]
    assert Petition.objects.get(pk=petition.pk).signature_count == 30


def test_runperiodic_once_says_the_database_could_not_be_reached(petition, outage):
    outage.start()

    with pytest.raises(CommandError, match="the database could not be reached"):
        call_command("runperiodic", "--once")
