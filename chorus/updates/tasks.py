import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F, Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chorus.lib.hosts import origin_for
from chorus.updates.models import Mailing
from chorus.updates.selectors import consenting_signatures
from chorus.updates.tokens import unsubscribe_url

logger = logging.getLogger(__name__)


# How long a worker may go without progress before another may take over.
LEASE = timedelta(minutes=5)


@task()
def send_mailing(mailing_id: int) -> int:
    """Send a mailing to the end; returns how many e-mails were sent now.

    One worker at a time holds the mailing's lease. After each e-mail the
    mail server accepts, the cursor moves past that signer in its own short
    transaction: if the server fails, the task fails and a retry (`manage.py
    sendmailings`) carries on after the last accepted e-mail; if the worker
    itself dies, the lease runs out and a retry repeats at most the one
    e-mail that was in flight. Nobody is skipped.
    """
    lease = _lease_take(mailing_id)
    if lease is None:
        return 0  # finished, or another worker is sending it
    sent = 0
    try:
        while (batch := _send_batch(mailing_id, lease)) is not None:
            lease, accepted = batch
            sent += accepted
    finally:
        Mailing.objects.filter(pk=mailing_id, leased_until=lease).update(leased_until=None)
    if sent:
        logger.info("mailing %s: sent %d update e-mails", mailing_id, sent)
    return sent


def _lease_take(mailing_id: int):
    """The lease's expiry if this worker got the mailing, else None.

    One conditional UPDATE: of two workers, only one finds the lease free.
    """
    now = timezone.now()
    lease = now + LEASE
    taken = Mailing.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now),
        pk=mailing_id, finished_at__isnull=True,
    ).update(leased_until=lease)
    return lease if taken else None


def _progress(mailing_id: int, lease, *, cursor: int, accepted: bool):
    """Record one e-mail as done and renew the lease; None if the lease was lost."""
    renewed = timezone.now() + LEASE
    changed = Mailing.objects.filter(pk=mailing_id, leased_until=lease).update(
        cursor=cursor, sent=F("sent") + int(accepted), leased_until=renewed,
    )
    return renewed if changed else None


def _send_batch(mailing_id: int, lease):
    """Send the next batch: (renewed lease, e-mails sent), or None when done or lease lost."""
    mailing = Mailing.objects.select_related("update__petition").get(pk=mailing_id)
    if mailing.leased_until != lease:
        return None
    update = mailing.update
    # Read now, not when the mailing started: whoever unsubscribed since is
    # left out. Id order plus the cursor lets a retry start exactly after the
    # last accepted e-mail.
    signatures = list(
        consenting_signatures(update.petition_id)
        .filter(pk__gt=mailing.cursor, pk__lte=mailing.last_recipient_id)
        .order_by("pk")[: settings.CHORUS_MAILING_BATCH_SIZE]
    )
    if not signatures:
        Mailing.objects.filter(pk=mailing_id, leased_until=lease).update(
            finished_at=timezone.now()
        )
        return None
    sent = 0
    body_html = update.body_html()  # the same for everyone: rendered once a batch
    with mailers.default as connection:
        for signature in signatures:
            accepted = _deliver(connection, update_email(update, signature, body_html=body_html))
            if not accepted:
                logger.warning("mailing %s: signature %s undeliverable", mailing_id, signature.pk)
            lease = _progress(mailing_id, lease, cursor=signature.pk, accepted=accepted)
            if lease is None:
                # Another worker took over (this one stalled past the lease).
                logger.warning("mailing %s: lease lost, stopping", mailing_id)
                return None
            sent += accepted
    return lease, sent


def _deliver(connection, message) -> bool:
    """Send one e-mail; False if this address can never take it.

    Such an address is passed over, so it cannot stop everyone after it; any
    other failure (the server is down) is raised and stops the mailing.
    """
    try:
        connection.send_messages([message])
    except (UnicodeError, ValueError, smtplib.SMTPRecipientsRefused):
        # No header can hold the address, or the server refuses it for good.
        return False
    return True


def update_email(update, signature, *, body_html=None) -> EmailMultiAlternatives:
    """An update as e-mailed to one signer, with a one-click unsubscribe (RFC 8058).

    For a petition with discreet e-mail, the sender and subject name no cause.
    """
    petition = update.petition
    discreet = petition.discreet_email
    origin = origin_for(signature.site_host)  # the host they signed on
    link = unsubscribe_url(signature.pk, origin=origin)
    with translation.override(signature.language or settings.LANGUAGE_CODE):
        context = {
            "update": update, "petition": petition, "signature": signature,
            "body_html": update.body_html() if body_html is None else body_html,
            "unsubscribe_url": link,
            "petition_url": origin + petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
        }
        subject = (
            _("News about an action you took") if discreet
            else f"{petition.title}: {update.title}"
        )
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("updates/email/update.txt", context),
            from_email=settings.CHORUS_DISCREET_FROM_EMAIL if discreet else None,
            to=[signature.email],
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(
            render_to_string("updates/email/update.html", context), "text/html"
        )
    return message


def mailings_resume() -> tuple[int, int]:
    """Carry every unfinished mailing on to its end: (resumed, still failing)."""
    pending = list(Mailing.objects.filter(finished_at__isnull=True).values_list("pk", flat=True))
    failing = 0
    for mailing_id in pending:
        try:
            send_mailing.call(mailing_id)
        except Exception:  # noqa: BLE001 - one mail failure must not hold up the others
            logger.exception("mailing %s: could not be resumed", mailing_id)
            failing += 1
    return len(pending), failing
