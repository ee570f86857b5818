"""A network hands its signatures to two ministries and waits for their answers."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.periodic.steps import Schedule
from chorus.petitions.models import Target
from chorus.signatures.models import Signature


@pytest.fixture
def day(monkeypatch):
    def set_day(when: datetime.date):
        noon = datetime.datetime.combine(when, datetime.time(12), tzinfo=datetime.UTC)
        monkeypatch.setattr(timezone, "now", lambda: noon)

    return set_day


def test_the_organisers_hand_in_the_signatures_and_follow_each_answer(
        client, post, editor, owner, petition, day, django_capture_on_commit_callbacks):
    Signature.objects.create(petition=petition, name="Nadia", email="nadia@example.org",
                             email_digest=email_digest("nadia@example.org"), country="DE",
                             state=Signature.State.CONFIRMED, updates=True)
    day(datetime.date(2027, 1, 21))
    client.force_login(editor)
    for name in ("Ministry of Justice", "Ministry of the Interior"):
        post(reverse("petitions:targets:add", args=[petition.slug]), {"name": name})
    post(reverse("petitions:targets:handin", args=[petition.slug]), {
        "handed_in_on": "2027-01-21", "place": "Government House",
        "received_by": "The duty officer", "answers_due": "2027-02-20"})
    with django_capture_on_commit_callbacks(execute=True):
        Schedule().tick()
    assert [message.to for message in mail.outbox] == [["nadia@example.org"]]

    day(datetime.date(2027, 2, 10))
    client.force_login(editor)  # weeks later: a new session
    justice = Target.objects.get(name="Ministry of Justice")
    answered = post(reverse("petitions:targets:answer", args=[petition.slug, justice.pk]),
                    {"text": "The case is under review.", "date": "2027-02-09"})
    assert answered.status_code == 302, answered.text[-3000:]

    day(datetime.date(2027, 3, 3))
    mail.outbox.clear()
    for _tick in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            Schedule().tick()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "emil.editor@example.org", "olga.owner@example.org"]
    assert all("Ministry of the Interior" in message.subject for message in mail.outbox)

    client.logout()
    page = client.get(petition.get_absolute_url()).text
    assert "Government House" in page and "The duty officer" in page
    assert "The case is under review." in page
    assert "No answer 41 days after hand-in" in page
    manage = client.get(reverse("petitions:manage:detail", args=[petition.slug]))
    assert manage.status_code == 302  # the organisers' page is theirs alone
