"""A petition approved to open later is public nowhere until its time, then opens by the
clock alone: no job, no restart, and no cache left serving the old answer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chorus.api.models import ApiKey
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

OPENS_IN = datetime.timedelta(hours=5)


@pytest.fixture
def start():
    return timezone.now()


@pytest.fixture
def clock(monkeypatch, start):
    """Move the site's clock: clock(hours=5) puts it 5 hours after the test started."""

    def move(**delta):
        moment = start + datetime.timedelta(**delta)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    move()
    return move


@pytest.fixture
def scheduled(organisation, clock, start):
    petition = Petition.objects.create(
        organisation=organisation, slug="press-conference", title="Stop the raids",
        target="The Ministry", ask="Stop the raids.", goal=100, opens_at=start + OPENS_IN,
    )
    petition.submit()
    petition.open()
    return petition


PUBLIC_ADDRESSES = [
    "/petitions/press-conference/",
    "/petitions/press-conference/embed/",
    "/petitions/press-conference/badge.svg",
    "/petitions/press-conference/share/",
    "/petitions/press-conference/count.json",
    "/petitions/press-conference/history/",
    "/petitions/press-conference/history.json",
    "/petitions/press-conference/countries.json",
    "/petitions/press-conference/map.png",
    "/petitions/press-conference/changes/",
    "/api/v1/petitions/press-conference",
    "/api/v1/petitions/press-conference/count",
    "/api/v1/petitions/press-conference/history",
]


def test_approval_keeps_the_opening_time_and_records_it_as_the_opening(scheduled, start):
    assert scheduled.state == Petition.State.OPEN
    assert scheduled.opened_at == start + OPENS_IN
    assert scheduled.is_scheduled and not scheduled.is_public and not scheduled.is_signable


def test_before_its_time_it_is_in_no_public_group(scheduled):
    assert not Petition.objects.visible().filter(pk=scheduled.pk).exists()
    assert not Petition.objects.signable().filter(pk=scheduled.pk).exists()
    assert not Petition.objects.with_public_address().filter(pk=scheduled.pk).exists()
    assert Petition.objects.scheduled().filter(pk=scheduled.pk).exists()


@pytest.mark.parametrize("path", PUBLIC_ADDRESSES)
def test_every_public_address_is_404_before_the_opening(client, scheduled, path):
    assert client.get(path).status_code == 404


def test_oembed_does_not_know_it(client, scheduled, settings):
    url = f"{settings.SITE_URL}/petitions/{scheduled.slug}/"
    assert client.get("/oembed/", {"url": url}).status_code == 404


def test_lists_search_organisation_page_and_api_list_leave_it_out(client, scheduled):
    for path in ["/", "/petitions/", "/petitions/?q=raids",
                 f"/organisations/{scheduled.organisation.slug}/"]:
        assert "Stop the raids" not in client.get(path).content.decode(), path
    assert client.get("/api/v1/petitions").json()["count"] == 0
    assert client.get("/api/v1/petitions?q=raids").json()["count"] == 0


def test_sign_posts_are_refused_and_store_nothing(client, scheduled, signer, organisation):
    response = client.post(f"/petitions/{scheduled.slug}/sign/", signer)
    assert response.status_code == 404
    response = client.post(f"/petitions/{scheduled.slug}/embed/sign/", signer,
                           HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 404
    key = ApiKey.issue(organisation=organisation, name="CRM")[1]
    response = client.post(
        f"/api/v1/petitions/{scheduled.slug}/signatures",
        {"name": "Nadia", "email": "nadia@example.org", "country": "DE"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 404
    assert not Signature.objects.exists()


def test_at_the_opening_time_it_opens_with_the_caches_still_warm(
    client, scheduled, signer, clock
):
    # Every cache in the way has just remembered the petition as not public.
    for path in PUBLIC_ADDRESSES:
        assert client.get(path).status_code == 404
    clock(hours=5, seconds=-1)
    assert client.get(f"/petitions/{scheduled.slug}/").status_code == 404
    clock(hours=5)  # no job runs, no process restarts, no cache is cleared
    for path in PUBLIC_ADDRESSES:
        assert client.get(path).status_code == 200, path
    assert "Stop the raids" in client.get("/petitions/").content.decode()
    response = client.post(f"/petitions/{scheduled.slug}/sign/", signer)
    assert response.status_code == 302
    assert Signature.objects.filter(petition=scheduled).count() == 1
    assert client.get("/api/v1/petitions").json()["items"][0]["opens_at"] is not None


def test_an_opening_time_passed_during_review_opens_it_on_approval(organisation, clock, start):
    petition = Petition.objects.create(
        organisation=organisation, slug="late", title="Late", target="T", ask="A.",
        opens_at=start + datetime.timedelta(hours=1),
    )
    petition.submit()
    now = clock(hours=2)
    petition.open()
    assert petition.is_public and petition.opened_at == now and petition.opens_at is None


def test_the_opening_time_cannot_come_after_the_closing_date(organisation, start):
    petition = Petition.objects.create(
        organisation=organisation, slug="odd", title="Odd", target="T", ask="A.",
        closes_at=start + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError):
        petition.schedule_opening(at=start + datetime.timedelta(days=2))
    with pytest.raises(ValidationError):
        petition.schedule_opening(at=start - datetime.timedelta(minutes=1))
    petition.refresh_from_db()
    assert petition.opens_at is None


def test_moving_the_opening_moves_the_recorded_opening(scheduled, start):
    later = start + datetime.timedelta(days=2)
    scheduled.schedule_opening(at=later)
    scheduled.refresh_from_db()
    assert (scheduled.opens_at, scheduled.opened_at) == (later, later)


def test_clearing_it_on_an_approved_petition_opens_it_now(scheduled, start):
    scheduled.schedule_opening(at=None)
    assert scheduled.is_public and scheduled.opened_at == start


def test_once_public_the_opening_can_no_longer_change(petition, start):
    with pytest.raises(ValidationError):
        petition.schedule_opening(at=start + OPENS_IN)
