"""Closing petitions at their closing date: the command, and the counter's ticks."""

import datetime

from django.core.cache import cache
from django.core.management import call_command

from chorus.audit.models import AuditEntry
from chorus.periodic.steps import Schedule
from chorus.petitions.closing import petitions_close_due
from chorus.petitions.models import Petition
from chorus.petitions.selectors import public_petition

CLOSES = datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.UTC)


def closing_at(petition, when):
    Petition.objects.filter(pk=petition.pk).update(closes_at=when)


def test_a_petition_is_closed_at_its_closing_date_and_not_before(petition):
    closing_at(petition, CLOSES)
    assert petitions_close_due(now=CLOSES - datetime.timedelta(seconds=1)) == []
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    [closed] = petitions_close_due(now=CLOSES + datetime.timedelta(hours=5))
    petition.refresh_from_db()
    assert closed.pk == petition.pk
    assert (petition.state, petition.closed_at) == (Petition.State.CLOSED, CLOSES)


def test_closing_by_date_is_audited_as_the_system_once(petition):
    closing_at(petition, CLOSES)
    petitions_close_due(now=CLOSES)
    petitions_close_due(now=CLOSES + datetime.timedelta(minutes=1))
    [entry] = AuditEntry.objects.filter(action="petition.close")
    assert (entry.actor, entry.actor_name, entry.details) == (
        None, "system", {"reason": "closing date"}
    )


def test_the_public_page_says_closed_at_once(client, petition):
    closing_at(petition, CLOSES)
    public_petition(petition.slug)  # now cached for a few seconds, still open
    petitions_close_due(now=CLOSES)
    assert public_petition(petition.slug).state == Petition.State.CLOSED
    assert "This petition is closed" in client.get(petition.get_absolute_url()).text


def test_petitions_without_a_date_or_not_open_are_left_alone(petition, draft):
    closing_at(draft, CLOSES)
    assert petitions_close_due(now=CLOSES) == []
    assert Petition.objects.get(pk=draft.pk).state == Petition.State.DRAFT
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN


def test_the_command_closes_what_is_due(petition, monkeypatch):
    from django.utils import timezone

    closing_at(petition, CLOSES)
    monkeypatch.setattr(timezone, "now", lambda: CLOSES + datetime.timedelta(days=1))
    call_command("closepetitions")
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.CLOSED


def test_each_periodic_tick_closes_what_is_due(petition, monkeypatch):
    from django.utils import timezone

    closing_at(petition, CLOSES)
    monkeypatch.setattr(timezone, "now", lambda: CLOSES - datetime.timedelta(minutes=1))
    Schedule().tick()
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.OPEN
    monkeypatch.setattr(timezone, "now", lambda: CLOSES)
    cache.clear()
    Schedule().tick()
    assert Petition.objects.get(pk=petition.pk).state == Petition.State.CLOSED
