from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.petitions.models import HandIn, Petition
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


def handin_update_text(handin: HandIn) -> tuple[str, str]:
    """(title, body) of the update that tells the signers about the hand-in, in the
    language the petition is written in, like the updates its organisers write."""
    with translation.override(handin.petition.language):
        title = _("The signatures were handed in")
        body = _("On %(date)s the signatures were handed in at %(place)s and received by "
                 "%(received_by)s.") % {
            "date": formats.date_format(handin.handed_in_on, "DATE_FORMAT"),
            "place": handin.place, "received_by": handin.received_by,
        }
        if handin.note:
            body += "\n\n" + handin.note
        body += "\n\n" + _("Thank you for signing. The petition page shows each answer "
                            "as it comes.")
    return title, body


def handins_announce(*, now=None) -> list[Update]:
    """Tell the consenting signers of each newly recorded hand-in, once (the step "handins").

    The update, its mailing and the hand-in's announced_at are written in one
    transaction, under the hand-in's lock: a crash leaves the hand-in to be
    announced by the next run, and a second run finds it announced. The
    mailing itself is the usual one (consent, unsubscribes, discreet e-mail,
    the signer's language; resumed by `sendmailings`).
    """
    now = now or timezone.now()
    waiting = HandIn.objects.filter(
        announced_at__isnull=True,
        petition__state__in=[Petition.State.OPEN, Petition.State.CLOSED],
    ).values_list("pk", flat=True)
    published = []
    for handin_id in list(waiting):
        with transaction.atomic():
            handin = (
                HandIn.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("petition", "recorded_by")
                .filter(pk=handin_id, announced_at__isnull=True).first()
            )
            if handin is None:
                continue  # another run has it
            title, body = handin_update_text(handin)
            published.append(update_publish(
                petition=handin.petition, author=handin.recorded_by, title=title, body=body,
                email=True,
            ))
            HandIn.objects.filter(pk=handin.pk).update(announced_at=now)
    return published


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
