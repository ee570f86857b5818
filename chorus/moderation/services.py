"""What moderators do to petitions: decide on them, take them down and restore them,
correct them, record responses.

Each workflow locks the petition, applies the model's own rule (which refuses,
changing nothing, when the petition is not in a state that allows it), records
who did it, and forgets the cached public copy once the change is committed.
"""

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.moderation import tasks
from chorus.petitions.models import Petition, PetitionRevision, RejectionReason
from chorus.petitions.selectors import public_petition_forget
from chorus.petitions.services import petition_revise

APPROVED, REJECTED, SENT_BACK = tasks.APPROVED, tasks.REJECTED, tasks.SENT_BACK
TAKEN_DOWN, RESTORED = tasks.TAKEN_DOWN, tasks.RESTORED



def _require_staff(moderator) -> None:
    if not (moderator and moderator.is_authenticated and moderator.is_staff):
        raise PermissionDenied


def _decide(*, petition: Petition, moderator, decision: str, action: str,
            move: Callable[[Petition], None], **details) -> Petition:
    _require_staff(moderator)
    # The language the moderator works in, so the e-mail around their note reads the same.
    language = translation.get_language()
    with transaction.atomic():
        current = Petition.objects.select_for_update().get(pk=petition.pk)
        move(current)
        audit_record(actor=moderator, action=action, target=current, **details)
        public_petition_forget(current.slug)
        transaction.on_commit(
            lambda: tasks.send_decision.enqueue(current.pk, decision, language)
        )
    return current


def _approve(petition: Petition) -> None:
    # The model also lets staff open a draft directly; here only what is
    # waiting for review, so a second moderator's stale page cannot open a
    # petition the first one just sent back.
    if petition.state != Petition.State.PENDING:
        raise ValidationError(_("Only a petition awaiting review can be approved."))
    petition.open()


def petition_approve(*, petition: Petition, moderator) -> Petition:
    """Open a petition for signing and tell its organisers."""
    return _decide(petition=petition, moderator=moderator, decision=APPROVED,
                   action="moderation.approve", move=_approve)


def petition_reject(*, petition: Petition, moderator, reason: RejectionReason,
                    note: str = "") -> Petition:
    """Refuse a petition for good, saying why; it is never published."""
    return _decide(
        petition=petition, moderator=moderator, decision=REJECTED, action="moderation.reject",
        move=lambda current: current.reject(reason=reason, note=note), reason=reason.code,
    )


def petition_send_back(*, petition: Petition, moderator, note: str) -> Petition:
    """Return a petition to its organisers as a draft, with what they should change."""
    return _decide(
        petition=petition, moderator=moderator, decision=SENT_BACK,
        action="moderation.send_back", move=lambda current: current.send_back(note=note),
    )


def petition_take_down(*, petition: Petition, moderator, reason: RejectionReason, note: str,
                       publish_reason: bool) -> Petition:
    """Withdraw a published petition from public view at once, and tell its organisers why.

    Its public addresses answer 410 Gone from the next request on (the cached
    row is forgotten, and the page cache keys change with updated_at); its
    signatures and count are kept for a restore.
    """
    return _decide(
        petition=petition, moderator=moderator, decision=TAKEN_DOWN,
        action="moderation.take_down",
        move=lambda current: current.take_down(
            by=moderator, reason=reason, note=note, publish_reason=publish_reason,
        ),
        # The note stays out of the log: it may name the very people it protects.
        reason=reason.code, reason_published=publish_reason,
    )


def petition_restore(*, petition: Petition, moderator) -> Petition:
    """Put a taken-down petition back as it was (open or closed), with the same count."""
    return _decide(petition=petition, moderator=moderator, decision=RESTORED,
                   action="moderation.restore", move=lambda current: current.restore())


CORRECTABLE_STATES = (Petition.State.PENDING, Petition.State.OPEN, Petition.State.CLOSED)


@transaction.atomic
def petition_correct(*, petition: Petition, moderator, changes: dict,
                     note: str) -> PetitionRevision | None:
    """Staff correct a petition's text; the change is kept in its public history.

    Returns the revision, or None if nothing in the text changed.
    """
    _require_staff(moderator)
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    if current.state not in CORRECTABLE_STATES:
        raise ValidationError(
            _("Only a petition awaiting review or published can be corrected by staff.")
        )
    if not note.strip():
        raise ValidationError(_("Say why the text is being corrected."))
    unknown = set(changes) - set(Petition.SIGNED_FIELDS)
    if unknown:
        raise ValueError(f"not petition text: {sorted(unknown)}")
    revision = petition_revise(petition=current, actor=moderator, changes=changes, staff=True,
                               note=note)
    public_petition_forget(current.slug)
    return revision


@transaction.atomic
def petition_response_record(*, petition: Petition, moderator, text: str,
                             date: datetime.date) -> Petition:
    """Record what the petition's target answered, shown on its public page."""
    _require_staff(moderator)
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    current.record_response(text=text, date=date)
    audit_record(actor=moderator, action="moderation.response", target=current,
                 date=date.isoformat())
    public_petition_forget(current.slug)
    return current
