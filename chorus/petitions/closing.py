"""Closing petitions when their closing date comes."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition
from chorus.petitions.selectors import public_petition_forget

logger = logging.getLogger(__name__)


def petitions_close_due(*, now: datetime.datetime | None = None) -> list[Petition]:
    """Close every open petition whose closing date has passed; return those closed.

    Signing already stops at the closing date (Petition.is_signable); this
    makes the state say so too, dated at the closing date rather than at
    whenever this ran.
    """
    now = now or timezone.now()
    closed = []
    due = Petition.objects.filter(state=Petition.State.OPEN, closes_at__lte=now)
    for petition_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Locked and read again: an organiser may be closing it by hand
            # right now, and a petition must be closed (and audited) once.
            petition = Petition.objects.select_for_update().get(pk=petition_id)
            try:
                petition.close(at=petition.closes_at)
            except ValidationError:
                continue
            audit_record(actor=None, action="petition.close", target=petition,
                         reason="closing date")
        public_petition_forget(petition.slug)
        closed.append(petition)
    if closed:
        logger.info("closed %d petitions at their closing date", len(closed))
    return closed
