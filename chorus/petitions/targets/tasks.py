"""The organisers' reminder that a target has not answered by the date expected.

Queued by the periodic step "answers" (services.target_reminders_schedule) with
ids, never objects; sent here by the task worker, never inside a request.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from chorus.organisers.models import Membership, Role
from chorus.petitions.models import Target

logger = logging.getLogger(__name__)


def reminder_recipients(organisation_id: int) -> list[str]:
    """The addresses of the organisation's owners and editors who can still log in."""
    memberships = Membership.objects.filter(
        organisation_id=organisation_id, role__in=[Role.OWNER, Role.EDITOR],
        user__is_active=True,
    ).select_related("user")
    return sorted({membership.user.email for membership in memberships if membership.user.email})


def reminder_email(target: Target, address: str) -> EmailMessage:
    petition = target.petition
    # No organiser's language is stored with their account: the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "target": target, "petition": petition, "handin": petition.handin,
            "SITE_NAME": settings.SITE_NAME,
            "answer_url": settings.SITE_URL + reverse(
                "petitions:targets:answer", args=[petition.slug, target.pk]),
        }
        subject = render_to_string("petitions/targets/email/reminder_subject.txt", context)
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string("petitions/targets/email/reminder.txt", context),
            to=[address],
        )


@task()
def send_target_reminders(target_ids: list[int]) -> int:
    """Remind the organisers of each overdue target once; returns how many e-mails were sent.

    Each target is locked while its e-mails go out and marked reminded in the
    same transaction, so a second task skips it (skip_locked) or finds it done.
    If the mail server fails, the transaction rolls back: the target stays
    unreminded, and once its claim runs out the periodic step queues it again.
    """
    sent = 0
    for target_id in target_ids:
        with transaction.atomic():
            target = (
                Target.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("petition__handin")
                .filter(pk=target_id, reminded_at__isnull=True).first()
            )
            if target is None or target.is_answered:
                continue  # reminded by another run, answered meanwhile, or removed
            addresses = reminder_recipients(target.petition.organisation_id)
            # One e-mail each, so no organiser sees the others' addresses.
            with mailers.default as connection:
                connection.send_messages([reminder_email(target, a) for a in addresses])
            Target.objects.filter(pk=target.pk).update(
                reminded_at=timezone.now(), reminder_claimed_until=None)
            sent += len(addresses)
    if sent:
        logger.info("sent %d reminders of overdue answers", sent)
    return sent
