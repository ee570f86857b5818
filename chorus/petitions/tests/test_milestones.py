"""Milestones: recorded once when the count passes them, shown, and e-mailed to organisers."""

import datetime

import pytest

from chorus.lib.digests import email_digest
from chorus.periodic.steps import Schedule
from chorus.petitions.milestones import milestones_record
from chorus.petitions.models import Milestone, Petition
from chorus.signatures.models import Signature

NOW = datetime.datetime(2026, 3, 3, 12, 0, tzinfo=datetime.UTC)


def confirm_signatures(petition, n, *, start=0):
    Signature.objects.bulk_create(
        Signature(
            petition=petition, name=f"Signer {i}", email=f"s{i}@example.org",
            email_digest=email_digest(f"s{i}@example.org"), state=Signature.State.CONFIRMED,
        )
        for i in range(start, start + n)
    )


def set_count(petition, count):
    Petition.objects.filter(pk=petition.pk).update(signature_count=count)


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def test_a_periodic_tick_that_passes_25_percent_records_only_that_milestone(petition, clock):
    confirm_signatures(petition, 30)  # the goal is 100
    Schedule().tick()
    milestone = Milestone.objects.get(petition=petition)
    assert (milestone.threshold, milestone.percent_of_goal, milestone.reached_at) == (
        25, 25, NOW
    )


def test_milestones_are_recorded_once_with_the_time_they_were_seen(petition, draft):
    set_count(petition, 60)
    created = milestones_record(now=NOW)
    assert [(m.threshold, m.reached_at) for m in created] == [(25, NOW), (50, NOW)]
    later = NOW + datetime.timedelta(hours=1)
    assert milestones_record(now=later) == []
    assert list(Milestone.objects.values_list("threshold", "reached_at")) == [
        (25, NOW), (50, NOW)
    ]


def test_fixed_counts_are_milestones_too(petition, settings):
    settings.CHORUS_MILESTONE_COUNTS = [10_000]
    Petition.objects.filter(pk=petition.pk).update(goal=100_000, signature_count=10_001)
    [milestone] = milestones_record(petition_ids=[petition.pk], now=NOW)
    assert (milestone.threshold, milestone.percent_of_goal) == (10_000, None)


def test_only_the_petitions_asked_about_are_looked_at(petition, organisation):
    other = Petition.objects.create(organisation=organisation, slug="other", title="Other",
                                    target="T", ask="A.", goal=10, state=Petition.State.OPEN,
                                    signature_count=10)
    set_count(petition, 100)
    milestones_record(petition_ids=[other.pk], now=NOW)
    assert set(Milestone.objects.values_list("petition_id", flat=True)) == {other.pk}


def test_drafts_have_no_milestones(draft):
    set_count(draft, 200)
    assert milestones_record(now=NOW) == []


def test_the_organisers_are_emailed_once_per_new_milestone(
    petition, owner, editor, outsider, mailoutbox, immediate_tasks,
    django_capture_on_commit_callbacks,
):
    Petition.objects.filter(pk=petition.pk).update(created_by=editor, signature_count=50)
    with django_capture_on_commit_callbacks(execute=True):
        milestones_record(now=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        milestones_record(now=NOW + datetime.timedelta(minutes=1))
    assert sorted(message.to[0] for message in mailoutbox) == [editor.email, owner.email]
    assert all(len(message.to) == 1 for message in mailoutbox)
    assert "reached 50 % of its goal" in mailoutbox[0].subject
    assert "reached 25 % of its goal" in mailoutbox[0].body


def test_a_new_milestone_shows_at_once_on_the_cached_petition_page(client, petition):
    page = client.get(petition.get_absolute_url())
    assert "Reached" not in page.text
    set_count(petition, 50)
    milestones_record(now=NOW)
    page = client.get(petition.get_absolute_url())
    assert "Reached 50 % of the goal — 3 March 2026" in page.text
    assert "Reached 25 % of the goal" in page.text


def test_the_page_shows_victory_and_the_targets_response(client, petition, clock):
    petition.declare_victory()
    petition.record_response(text="We withdraw the lawsuit.", date=datetime.date(2026, 3, 2))
    page = client.get(petition.get_absolute_url())
    assert "Victory!" in page.text
    assert "The response from The Government of Norvania" in page.text
    assert "We withdraw the lawsuit." in page.text
    assert "2 March 2026" in page.text


def test_the_page_shows_updates_newest_first(client, petition):
    from chorus.updates.models import Update

    Update.objects.create(petition=petition, title="First news", body="one",
                          published_at=NOW - datetime.timedelta(days=1))
    Update.objects.create(petition=petition, title="Second news", body="*two*", published_at=NOW)
    page = client.get(petition.get_absolute_url()).text
    assert page.index("Second news") < page.index("First news")
    assert "<em>two</em>" in page
