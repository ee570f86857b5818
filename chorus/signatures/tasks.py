import logging
from functools import cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from chorus.lib.translations import translated
from chorus.signatures import tokens
from chorus.signatures.models import Signature

logger = logging.getLogger(__name__)

BATCH_SIZE = 200


@cache
def _claim_sql() -> str:
    table = connection.ops.quote_name(Signature._meta.db_table)
    # FOR UPDATE: a second worker waits for the first one's claim and then
    # finds those rows no longer due, so no e-mail is sent twice. Not SKIP
    # LOCKED: a duplicate signer's resend also locks the row for a moment, and
    # skipping it could leave its e-mail waiting with no task left to send it.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"UPDATE {table} SET confirmation_due = %s WHERE id IN ("  # noqa: S608 - our names
        f"SELECT id FROM {table} WHERE confirmation_due = %s ORDER BY id LIMIT %s{lock}"
        ") RETURNING id"
    )


def _claim_due(limit: int) -> list[int]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_claim_sql(), [False, True, limit])
        return sorted(row[0] for row in cursor.fetchall())


@task(priority=10)
def send_due_confirmations() -> int:
    """Send every confirmation e-mail that is due; returns how many were sent.

    Each batch is claimed (its due flag cleared, under a row lock) before
    sending, so two workers never send the same e-mail. If the mail server fails, the unsent rest of
    the batch is marked due again and the task fails, to be retried by the
    next one. An e-mail that cannot even be written (an address no mail
    header can hold) is logged and dropped, so it cannot hold up the others.
    """
    sent = 0
    while claimed := _claim_due(BATCH_SIZE):
        # Held signatures get the same e-mail: a signer must not be able to tell.
        signatures = Signature.objects.filter(
            pk__in=claimed, state__in=[Signature.State.PENDING, Signature.State.HELD]
        ).select_related("petition")
        done: set[int] = set()  # sent, or dropped as unwritable
        try:
            for signature in signatures:
                try:
                    message = confirmation_email(signature)
                    message.message()  # raises here if no header can hold the address
                except (UnicodeError, ValueError):
                    logger.warning("signature %s: confirmation e-mail unwritable", signature.pk)
                    done.add(signature.pk)
                    continue
                message.send()
                done.add(signature.pk)
                sent += 1
        except Exception:
            Signature.objects.filter(
                pk__in=set(claimed) - done,
                state__in=[Signature.State.PENDING, Signature.State.HELD],
            ).update(confirmation_due=True)
            raise
    if sent:
        logger.info("sent %d confirmation e-mails", sent)
    return sent


def confirmation_email(signature) -> EmailMultiAlternatives:
    """The e-mail with the link that confirms a signature, in the signer's language.

    For a petition with discreet e-mail, neither the sender, the subject nor
    the text names the cause: a glance at the inbox reveals nothing.
    """
    language = signature.language or settings.LANGUAGE_CODE
    # The petition as the signer read it: in the language they signed in.
    petition = translated(signature.petition, language)
    discreet = petition.discreet_email
    template = "signatures/email/discreet" if discreet else "signatures/email/confirm"
    with translation.override(language):
        confirm = reverse("signatures:confirm", args=[tokens.confirmation_token(signature.pk)])
        manage = reverse("signatures:manage", args=[tokens.manage_token(signature.pk)])
        context = {
            "signature": signature,
            "petition": petition,
            "confirm_url": settings.SITE_URL + confirm,
            "manage_url": settings.SITE_URL + manage,
            "petition_url": settings.SITE_URL + petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
        }
        subject = render_to_string(f"{template}_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.CHORUS_DISCREET_FROM_EMAIL if discreet else None,
            to=[signature.email],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
