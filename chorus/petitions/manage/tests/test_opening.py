"""The organisers' opening-time page: set, change or clear it before the petition opens."""

import datetime

import pytest
from django.utils import timezone

from chorus.audit.models import AuditEntry


def url(petition):
    return f"/organiser/petitions/{petition.slug}/opening/"


def local(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M")


def test_an_editor_sets_it_on_a_draft_and_approval_keeps_it(client, draft, editor, post):
    client.force_login(editor)
    at = (timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    response = post(url(draft), {"opens_at": local(at), "action": "save"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.opens_at == at
    assert AuditEntry.objects.filter(action="petition.opening").count() == 1
    draft.submit()
    draft.open()
    assert draft.is_scheduled and draft.opened_at == at
    page = client.get(f"/organiser/petitions/{draft.slug}/").content.decode()
    assert "Opens at" in page and "(in 1\xa0day" in page


@pytest.mark.parametrize("value", ["", "yesterday", "2020-01-01T10:00", "9999-01-01T10:00",
                                   "2030-01-01T10:00\x00", "x" * 10_000])
def test_bad_times_are_refused_and_change_nothing(client, draft, editor, value):
    client.force_login(editor)
    response = client.post(url(draft), {"opens_at": value, "action": "save"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.opens_at is None


def test_clearing_it_on_a_scheduled_petition_opens_it_now(client, draft, editor, post):
    draft.opens_at = timezone.now() + datetime.timedelta(hours=3)
    draft.save()
    draft.open()
    client.force_login(editor)
    assert post(url(draft), {"action": "clear"}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_public and draft.opens_at is None
    client.logout()
    assert client.get(f"/petitions/{draft.slug}/").status_code == 200


def test_a_public_petition_keeps_its_opening(client, petition, editor):
    client.force_login(editor)
    at = timezone.now() + datetime.timedelta(days=2)
    response = client.post(url(petition), {"opens_at": local(at), "action": "save"})
    assert response.status_code == 400
    petition.refresh_from_db()
    assert petition.opens_at is None and petition.is_public
