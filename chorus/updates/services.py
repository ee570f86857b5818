from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition
from chorus.petitions.services import petition_touch
from chorus.signatures.models import Signature
from chorus.updates import tokens
from chorus.updates.models import Mailing, Update
from chorus.updates.selectors import consenting_signatures
from chorus.updates.tasks import send_mailing


@transaction.atomic
def update_publish(*, petition: Petition, author, title: str, body: str,
                   email: bool) -> Update:
    """Post an update on a public petition, and e-mail it to consenting signers if asked."""
    if not petition.is_public:
        raise ValidationError(_("Updates can only be posted on a published petition."))
    update = Update.objects.create(petition=petition, title=title, body=body, created_by=author)
    petition_touch(petition=petition)
    audit_record(actor=author, action="update.publish", target=update, petition=petition.slug,
                 email=email)
    if email:
        mailing_start(update=update, actor=author)
    return update


def mailing_start(*, update: Update, actor) -> Mailing:
    """E-mail an update to the signers who agreed to hear more; once per update.

    The recipients are fixed now as "every consenting signature up to the
    newest one": people who sign later are not added halfway through.
    """
    if not update.petition.is_public:
        raise ValidationError(_("Updates can only be e-mailed for a published petition."))
    try:
        with transaction.atomic():
            recipients = consenting_signatures(update.petition_id).aggregate(
                last=Max("id"), total=Count("id")
            )
            # The one-to-one field refuses a second mailing even when two
            # organisers press the button at the same moment.
            mailing = Mailing.objects.create(
                update=update, requested_by=actor if actor and actor.is_authenticated else None,
                recipients=recipients["total"], last_recipient_id=recipients["last"] or 0,
                finished_at=timezone.now() if not recipients["total"] else None,
            )
    except IntegrityError:
        raise ValidationError(
            _("This update has already been e-mailed to the signers.")
        ) from None
    audit_record(actor=actor, action="update.mail", target=update,
                 petition=update.petition.slug, recipients=mailing.recipients)
    if not mailing.is_finished:
        transaction.on_commit(lambda: send_mailing.enqueue(mailing.pk))
    return mailing


def signature_from_unsubscribe_token(token: str) -> Signature:
    """Raises signing.BadSignature, ValueError or Signature.DoesNotExist."""
    return Signature.objects.select_related("petition").get(
        pk=tokens.signature_id_from_unsubscribe_token(token)
    )


def signature_unsubscribe(*, signature: Signature) -> None:
    """No more update e-mails for this signature; a second click changes nothing."""
    # Mailings read the flag as they send, so one under way skips it from now on.
    Signature.objects.filter(pk=signature.pk).update(updates=False)
    # Sealed to the organisation's key, the address was kept readable only for these.
    Signature.objects.filter(pk=signature.pk).drop_server_copies()
    signature.updates = False
