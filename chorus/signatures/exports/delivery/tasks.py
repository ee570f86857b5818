"""The delivery document's background work: building it, then telling whoever asked.

Tasks take ids and the request's id, never objects, and read the row afresh:
a request replaced in the meantime means there is nothing to do.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from chorus.signatures.exports.delivery.building import delivery_build
from chorus.signatures.models import DeliveryDocument


# Last in the queue: confirmations and other e-mails waiting go first. A big
# build holds its worker for minutes, so a site with big petitions runs two.
@task(priority=-10)
def build_delivery(document_id: int, request: str) -> bool:
    """Build the requested document; when it is ready, queue the e-mail saying so."""
    ready = delivery_build(document_id=document_id, request=request)
    if ready:
        transaction.on_commit(lambda: send_delivery_ready.enqueue(document_id, request))
    return ready


@task(priority=5)
def send_delivery_ready(document_id: int, request: str) -> bool:
    """E-mail the owner who asked that the document is ready: a link to the page, never the file.

    The file stays on the server, for a logged-in owner to download; an
    e-mail can be read by anyone who gets into the mailbox.
    """
    document = (
        DeliveryDocument.objects.select_related("petition", "requested_by")
        .filter(pk=document_id, request=request, state=DeliveryDocument.State.READY).first()
    )
    user = document.requested_by if document else None
    if user is None or not user.is_active or not user.email:
        return False
    language = document.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "petition": document.petition, "document": document,
            "link": settings.SITE_URL + reverse("signatures:exports:delivery_page",
                                                args=[document.petition.slug]),
            "SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL,
        }
        subject = render_to_string("signatures/exports/email/delivery_ready_subject.txt",
                                   context)
        EmailMessage(
            subject=" ".join(subject.split()),
            body=render_to_string("signatures/exports/email/delivery_ready.txt", context),
            to=[user.email],
        ).send()
    return True
