import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from chorus.signatures import tokens

logger = logging.getLogger(__name__)


@task(priority=10)
def send_confirmation(signature_id: int) -> None:
    """E-mail a signer the link that confirms their signature."""
    from chorus.signatures.models import Signature

    try:
        signature = Signature.objects.select_related("petition").get(pk=signature_id)
    except Signature.DoesNotExist:
        return  # erased before the worker got to it
    if signature.state != Signature.State.PENDING:
        return
    language = signature.language or settings.LANGUAGE_CODE
    with translation.override(language):
        path = reverse("signatures:confirm", args=[tokens.confirmation_token(signature.pk)])
        context = {
            "signature": signature,
            "petition": signature.petition,
            "confirm_url": settings.SITE_URL + path,
            "petition_url": settings.SITE_URL + signature.petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
        }
        subject = render_to_string("signatures/email/confirm_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("signatures/email/confirm.txt", context),
            to=[signature.email],
        )
        message.attach_alternative(
            render_to_string("signatures/email/confirm.html", context), "text/html"
        )
        message.send()
    logger.info("confirmation e-mail sent for signature %s", signature.pk)
