"""E-mails telling organisers what the moderators decided, sent by the task worker:
approved, rejected, sent back, and later taken down or restored.

The task takes the petition's id and reads it afresh, so it sends what the
petition says when the worker gets to it, and nothing if a later decision
has overtaken this one (that decision sends its own e-mail).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from chorus.organisers.models import Membership, Role
from chorus.petitions.models import Petition

logger = logging.getLogger(__name__)

APPROVED, REJECTED, SENT_BACK = "approved", "rejected", "sent_back"
TAKEN_DOWN, RESTORED = "taken_down", "restored"

# The state a petition is in after each decision, while the decision still stands.
STATES_AFTER = {
    APPROVED: (Petition.State.OPEN, Petition.State.CLOSED),
    REJECTED: (Petition.State.REJECTED,),
    SENT_BACK: (Petition.State.DRAFT,),
    TAKEN_DOWN: (Petition.State.TAKEN_DOWN,),
    RESTORED: (Petition.State.OPEN, Petition.State.CLOSED),
}


def decision_recipients(petition: Petition) -> list:
    """Who wrote the petition and who owns its organisation, each once."""
    people = [petition.created_by] if petition.created_by else []
    people += [
        membership.user for membership in
        Membership.objects.filter(organisation_id=petition.organisation_id, role=Role.OWNER)
        .select_related("user").order_by("pk")
    ]
    recipients, seen = [], set()
    for person in people:
        address = (person.email or "").strip().lower()
        if person.is_active and address and address not in seen:
            seen.add(address)
            recipients.append(person)
    return recipients


def decision_email(petition: Petition, decision: str, language: str, to: str) -> EmailMessage:
    with translation.override(language or settings.LANGUAGE_CODE):
        taken_down = decision == TAKEN_DOWN
        reason = petition.takedown_reason if taken_down else petition.rejection_reason
        context = {
            "petition": petition,
            "organisation": petition.organisation,
            # Read here, inside the language of the e-mail: the shipped reasons are translated.
            "reason_label": reason.label if reason else "",
            "reason_explanation": reason.explanation if reason else "",
            "note": petition.takedown_note if taken_down else petition.moderation_note,
            "reason_published": taken_down and petition.takedown_reason_public,
            "public_url": settings.SITE_URL + petition.get_absolute_url(),
            "edit_url": settings.SITE_URL
            + reverse("petitions:manage:edit", args=[petition.slug]),
            "manage_url": settings.SITE_URL
            + reverse("petitions:manage:detail", args=[petition.slug]),
            "SITE_NAME": settings.SITE_NAME,
            "SITE_URL": settings.SITE_URL,
        }
        template = f"moderation/email/{decision}"
        subject = render_to_string(f"{template}_subject.txt", context)
        return EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string(f"{template}.txt", context),
            to=[to],
        )


@task(priority=5)
def send_decision(petition_id: int, decision: str, language: str) -> int:
    """E-mail the decision to each recipient separately; returns how many were sent."""
    petition = (
        Petition.objects.select_related(
            "organisation", "created_by", "rejection_reason", "takedown_reason"
        ).filter(pk=petition_id).first()
    )
    if petition is None or petition.state not in STATES_AFTER[decision]:
        return 0
    sent = 0
    # One e-mail each, so that no organiser learns another's address from it.
    for person in decision_recipients(petition):
        decision_email(petition, decision, language, person.email).send()
        sent += 1
    logger.info("petition %s: %s e-mailed to %d organisers", petition.pk, decision, sent)
    return sent
