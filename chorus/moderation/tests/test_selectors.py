import datetime

import pytest

from chorus.audit.services import audit_record
from chorus.moderation import selectors
from chorus.moderation.tests.conftest import make_pending
from chorus.petitions.models import Petition

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2030, 5, 1, 12, 0, tzinfo=datetime.UTC)


def submitted(petition, when):
    Petition.objects.filter(pk=petition.pk).update(submitted_at=when)


def test_a_petition_is_overdue_only_after_the_review_deadline(organisation, settings):
    settings.CHORUS_REVIEW_DUE_HOURS = 48
    on_time = make_pending(organisation, "on-time")
    late = make_pending(organisation, "late")
    submitted(on_time, NOW - datetime.timedelta(hours=48))
    submitted(late, NOW - datetime.timedelta(hours=48, seconds=1))
    queue = list(selectors.review_queue(now=NOW))
    assert [(p.slug, p.overdue) for p in queue] == [("late", True), ("on-time", False)]
    assert selectors.overdue_count(now=NOW) == 1
    assert selectors.overdue_count(now=NOW - datetime.timedelta(hours=1)) == 0


def test_the_queue_holds_only_petitions_awaiting_review(organisation, petition, draft):
    waiting = make_pending(organisation, "waiting")
    assert list(selectors.review_queue(now=NOW)) == [waiting]


def test_the_audit_log_is_narrowed_by_action_and_by_name(petition, draft, moderator):
    audit_record(actor=moderator, action="moderation.approve", target=petition)
    audit_record(actor=moderator, action="petition.close", target=draft)
    assert selectors.audit_actions() == ["moderation.approve", "petition.close"]
    assert [e.target_repr for e in selectors.audit_entries()] == [
        "Free the press", "Stop the lawsuit"]
    assert [e.target_repr for e in selectors.audit_entries(action="petition.close")] == [
        "Free the press"]
    assert [e.target_repr for e in selectors.audit_entries(search="LAWSUIT")] == [
        "Stop the lawsuit"]
    assert selectors.audit_entries(search=f"#{moderator.pk}").count() == 2
