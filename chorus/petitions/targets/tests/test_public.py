"""The public page and the API say where each target's answer stands, on a given day."""

import datetime

import pytest
from django.utils import timezone

from chorus.petitions.models import HandIn, Target

HANDED_IN = datetime.date(2027, 1, 21)
DUE = datetime.date(2027, 2, 20)


@pytest.fixture
def clock(monkeypatch):
    def set_day(day: datetime.date):
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: noon)

    return set_day


@pytest.fixture
def campaign(petition, owner):
    minister = Target.objects.create(petition=petition, name="Minister of Justice",
                                     role="Minister", contact="press@justice.example.org")
    president = Target.objects.create(petition=petition, name="President", position=1,
                                      contact="https://president.example.org/")
    HandIn.objects.create(petition=petition, handed_in_on=HANDED_IN, place="Main Street 1",
                          received_by="Chief of staff", answers_due=DUE, recorded_by=owner)
    return minister, president


def test_the_page_lists_whom_the_petition_is_addressed_to(client, petition, campaign, clock):
    clock(datetime.date(2027, 2, 1))
    page = client.get(petition.get_absolute_url()).text
    assert "Addressed to:" in page
    assert "The Government of Norvania" in page  # what people signed, still shown
    assert 'href="mailto:press@justice.example.org"' in page
    assert 'href="https://president.example.org/"' in page


def test_before_the_due_date_each_target_is_awaiting_an_answer(client, petition, campaign, clock):
    clock(DUE)
    page = client.get(petition.get_absolute_url()).text
    assert page.count("Awaiting an answer") == 2
    assert "No answer" not in page


def test_after_the_due_date_a_target_without_an_answer_is_shown_as_not_answering(
        client, petition, campaign, clock):
    minister, _president = campaign
    minister.response_text, minister.response_date = "We will look into it.", DUE
    minister.save()
    clock(HANDED_IN + datetime.timedelta(days=41))

    page = client.get(petition.get_absolute_url()).text

    assert "Answered 20 February 2027" in page or "Answered Feb. 20, 2027" in page
    assert "<details>" in page and "We will look into it." in page
    assert "No answer 41 days after hand-in" in page
    assert "Awaiting an answer" not in page


def test_the_day_count_moves_with_the_clock_despite_the_page_cache(
        client, petition, campaign, clock):
    clock(HANDED_IN + datetime.timedelta(days=41))
    assert "No answer 41 days after hand-in" in client.get(petition.get_absolute_url()).text
    clock(HANDED_IN + datetime.timedelta(days=42))
    from django.core.cache import cache

    cache.clear()  # the whole-page cache lives seconds; the fragments are keyed by day
    assert "No answer 42 days after hand-in" in client.get(petition.get_absolute_url()).text


def test_a_petition_without_targets_shows_its_target_and_response_as_before(
        client, petition, clock):
    clock(datetime.date(2027, 2, 1))
    petition.record_response(text="We received it.", date=datetime.date(2027, 1, 30))
    page = client.get(petition.get_absolute_url()).text
    assert "To:" in page and "The Government of Norvania" in page
    assert "Addressed to:" not in page
    assert "We received it." in page


def test_answers_per_target_replace_the_single_response(client, petition, campaign, clock):
    clock(datetime.date(2027, 2, 1))
    petition.record_response(text="The old single response.", date=datetime.date(2027, 1, 30))
    minister, _president = campaign
    minister.record_response(text="The answer of the minister.", date=datetime.date(2027, 1, 31))
    page = client.get(petition.get_absolute_url()).text
    assert "The answer of the minister." in page
    assert "The old single response." not in page


def test_the_api_gives_each_target_with_its_status_date_and_text(
        client, petition, campaign, clock):
    minister, _president = campaign
    minister.response_text, minister.response_date = "We will look into it.", DUE
    minister.save()
    clock(HANDED_IN + datetime.timedelta(days=41))

    data = client.get(f"/api/v1/petitions/{petition.slug}").json()

    assert data["target"] == [{"name": "The Government of Norvania"}]
    assert [(t["name"], t["status"], t["response_date"], t["response_text"],
             t["days_since_handin"]) for t in data["targets"]] == [
        ("Minister of Justice", "answered", "2027-02-20", "We will look into it.", None),
        ("President", "overdue", None, None, 41),
    ]
    assert data["handin"]["date"] == "2027-01-21"
    assert data["handin"]["received_by"] == "Chief of staff"
    assert "reference" not in data["handin"]


def test_the_api_lists_no_targets_for_a_petition_without_them(client, petition):
    data = client.get(f"/api/v1/petitions/{petition.slug}").json()
    assert data["targets"] == [] and data["handin"] is None
