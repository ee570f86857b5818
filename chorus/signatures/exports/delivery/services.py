"""The delivery document's workflows: made on request for a small petition, prepared in
the background for a big one, downloaded by an owner; every hand-over is audited."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition
from chorus.signatures.exports.delivery.pdf import delivery_pdf
from chorus.signatures.exports.delivery.tasks import build_delivery
from chorus.signatures.models import DeliveryDocument, Signature


def delivery_is_direct(petition: Petition) -> bool:
    """Whether the document is small enough to be made inside the request (a few seconds)."""
    return petition.signature_count <= settings.CHORUS_DELIVERY_DIRECT_MAX


def petition_delivery(*, petition: Petition, actor) -> bytes:
    """The delivery document made now, recorded in the audit log with the total it states.

    Audited only once it is built: a DeliveryNotBuilt leaves no entry, since
    nothing was handed over.
    """
    document = delivery_pdf(petition)
    confirmed = petition.signatures.filter(state=Signature.State.CONFIRMED).count()
    audit_record(actor=actor, action="petition.delivery", target=petition, count=confirmed)
    return document


def delivery_request(*, petition: Petition, actor, language: str) -> DeliveryDocument:
    """Ask the task worker for a fresh document; it replaces the petition's last one.

    The ready file, if any, stays downloadable until the new one is whole. A
    build still running for an older request carries on, but its file is
    thrown away when it finds it was replaced.
    """
    request = uuid.uuid4()
    with transaction.atomic():
        document, _created = DeliveryDocument.objects.update_or_create(
            petition=petition,
            defaults={"request": request, "state": DeliveryDocument.State.QUEUED,
                      "requested_by": actor, "requested_at": timezone.now(),
                      "language": language or "", "started_at": None, "failure": ""},
        )
        audit_record(actor=actor, action="petition.delivery_request", target=petition)
        transaction.on_commit(lambda: build_delivery.enqueue(document.pk, str(request)))
    return document


def delivery_latest(petition: Petition) -> DeliveryDocument | None:
    return DeliveryDocument.objects.filter(petition=petition).first()


def delivery_open(*, petition: Petition, actor):
    """The ready document as (row, open file), audited as handed over; None if there is none.

    Audited only once the file could be opened: a file gone from the disk
    hands nothing over.
    """
    document = delivery_latest(petition)
    if document is None or not document.file:
        return None
    try:
        file = storages["private"].open(document.file, "rb")
    except OSError:
        return None
    audit_record(actor=actor, action="petition.delivery", target=petition,
                 count=document.signatures, made_at=document.made_at.isoformat())
    return document, file
