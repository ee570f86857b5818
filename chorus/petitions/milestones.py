"""Milestones: the thresholds a petition's count passed, recorded by the counter."""

import datetime
import logging
import math

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.organisers.models import Membership, Role
from chorus.petitions.models import Milestone, Petition
from chorus.petitions.services import petition_touch

logger = logging.getLogger(__name__)


def milestone_thresholds(goal: int) -> dict[int, int | None]:
    """{threshold: per cent of the goal, or None for a fixed count}."""
    thresholds: dict[int, int | None] = {count: None for count in settings.CHORUS_MILESTONE_COUNTS}
    for percent in settings.CHORUS_MILESTONE_PERCENTS:
        # A share of the goal wins over an equal fixed count: it says more.
        thresholds[math.ceil(goal * percent / 100)] = percent
    return {threshold: p for threshold, p in thresholds.items() if threshold > 0}


def milestones_record(*, petition_ids: list[int] | None = None,
                      now: datetime.datetime | None = None) -> list[Milestone]:
    """Record every threshold the petitions' counts have reached; return the new ones.

    Called by the counter with the petitions whose count just changed, so it
    must stay cheap: one query finds the petitions that passed a threshold
    higher than any they had reached; only those are looked at further.
    """
    now = now or timezone.now()
    petitions = Petition.objects.visible().annotate(highest=Max("milestones__threshold"))
    if petition_ids is not None:
        petitions = petitions.filter(pk__in=petition_ids)
    passed = [
        petition for petition in petitions.only("pk", "slug", "goal", "signature_count")
        if any((petition.highest or 0) < threshold <= petition.signature_count
               for threshold in milestone_thresholds(petition.goal))
    ]
    if not passed:
        return []
    reached = set(
        Milestone.objects.filter(petition__in=passed).values_list("petition_id", "threshold")
    )
    new = [
        Milestone(petition_id=petition.pk, threshold=threshold, percent_of_goal=percent,
                  reached_at=now)
        for petition in passed
        for threshold, percent in milestone_thresholds(petition.goal).items()
        if threshold <= petition.signature_count and (petition.pk, threshold) not in reached
    ]
    # The unique constraint, not the read above, keeps each milestone single
    # when two callers race: the second insert of a threshold is ignored.
    Milestone.objects.bulk_create(new, ignore_conflicts=True)
    # Which rows are ours: only the caller that inserted a row wrote this `now` into it.
    created = list(Milestone.objects.filter(
        petition__in=passed, reached_at=now,
        threshold__in={milestone.threshold for milestone in new},
    ))
    for petition in passed:
        mine = [milestone.pk for milestone in created if milestone.petition_id == petition.pk]
        if not mine:
            continue
        # A new milestone shows on the public page at once.
        petition_touch(petition=petition)
        transaction.on_commit(
            lambda pk=petition.pk, ids=mine: milestones_notify.enqueue(pk, ids)
        )
    return created


def milestone_text(milestone: Milestone) -> str:
    count = number_format(milestone.threshold, force_grouping=True)
    if milestone.percent_of_goal is not None:
        return ngettext(
            "Your petition reached %(percent)s %% of its goal (%(count)s signature)",
            "Your petition reached %(percent)s %% of its goal (%(count)s signatures)",
            milestone.threshold,
        ) % {"percent": milestone.percent_of_goal, "count": count}
    return ngettext(
        "Your petition reached %(count)s signature",
        "Your petition reached %(count)s signatures",
        milestone.threshold,
    ) % {"count": count}


@task()
def milestones_notify(petition_id: int, milestone_ids: list[int]) -> int:
    """Tell the petition's author and its organisation's owners; returns how many were told."""
    petition = Petition.objects.select_related("created_by").get(pk=petition_id)
    milestones = list(Milestone.objects.filter(pk__in=milestone_ids).order_by("threshold"))
    if not milestones:
        return 0
    owners = Membership.objects.filter(
        organisation_id=petition.organisation_id, role=Role.OWNER
    ).select_related("user")
    people = [membership.user for membership in owners]
    if petition.created_by is not None:
        people.append(petition.created_by)
    addresses = sorted({person.email for person in people if person.email and person.is_active})
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        lines = [milestone_text(milestone) + "." for milestone in milestones]
        body = "\n".join([
            *lines, "",
            _("Congratulations! Thank the signers with an update on the petition page:"),
            settings.SITE_URL + petition.get_absolute_url(), "",
            settings.SITE_NAME,
        ])
        subject = f"{petition.title}: {milestone_text(milestones[-1])}"
    # One e-mail each, so no organiser sees the others' addresses.
    for address in addresses:
        EmailMessage(subject=" ".join(subject.split()), body=body, to=[address]).send()
    logger.info("petition %s: %d milestone e-mails", petition_id, len(addresses))
    return len(addresses)
