from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.petitions.models import Petition, PetitionRevision


@transaction.atomic
def petition_revise(*, petition: Petition, actor, changes: dict, staff: bool = False,
                    note: str = "") -> PetitionRevision | None:
    """Change a petition's fields, keeping every change to its text in its history.

    What people signed (Petition.SIGNED_FIELDS) may be changed by the
    organisers only while the petition is a draft nobody has signed; after
    that only staff may correct it, and must say why. Returns the revision,
    or None if nothing changed.
    """
    changed = {
        field: [getattr(petition, field), value]
        for field, value in changes.items()
        if getattr(petition, field) != value
    }
    signed = [field for field in changed if field in Petition.SIGNED_FIELDS]
    if signed and not staff:
        if petition.has_signatures:
            raise ValidationError(
                _("People have already signed this text, so it cannot be changed. "
                  "Ask the moderators to correct a mistake.")
            )
        if petition.state != Petition.State.DRAFT:
            raise ValidationError(_("Only a draft's text can be changed."))
    if signed and staff and petition.has_signatures and not note.strip():
        raise ValidationError(_("Say why the signed text is being corrected."))
    if not changed:
        return None
    for field, (_before, after) in changed.items():
        setattr(petition, field, after)
    petition.full_clean()
    petition.save()
    text_changes = {
        field: [str(before), str(after)] for field, (before, after) in changed.items()
        if field in Petition.SIGNED_FIELDS
    }
    audit_record(
        actor=actor, action="petition.correct" if staff else "petition.edit",
        target=petition, fields=sorted(changed),
    )
    if not text_changes:
        return None
    return PetitionRevision.objects.create(
        petition=petition, changed_by=actor if actor and actor.is_authenticated else None,
        by_staff=staff, note=note, changes=text_changes,
    )
