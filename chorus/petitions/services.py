import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.images import hero_image_delete
from chorus.lib.slugs import create_with_free_slug, free_slug
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition, PetitionRevision
from chorus.petitions.selectors import public_petition_forget


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


# Writing petitions on the site (chorus.petitions.manage.views)

# Slugs that would hide an organiser page behind a petition of that name.
RESERVED_SLUGS = frozenset({"new"})
# Room for "-" and a number after a slug made from a title.
SLUG_BASE_LENGTH = 80


def petition_slug_for(title: str) -> str:
    """A free slug made from the title: "free-the-press", else "free-the-press-2", …"""
    return free_slug(Petition.objects, title, fallback="petition", max_length=SLUG_BASE_LENGTH,
                     reserved=RESERVED_SLUGS)


def petition_create(*, actor, organisation: Organisation, slug: str = "",
                    **fields) -> Petition:
    """A new draft, written by `actor` for one of their organisations."""

    def build(free: str) -> Petition:
        petition = Petition(organisation=organisation, created_by=actor,
                            state=Petition.State.DRAFT, slug=free, **fields)
        petition.full_clean(validate_unique=False)
        return petition

    def save(petition: Petition) -> None:
        petition.save()
        audit_record(actor=actor, action="petition.create", target=petition)

    return create_with_free_slug(
        slug=slug, make_slug=lambda: petition_slug_for(fields.get("title", "")),
        build=build, save=save,
        taken_message=_("Another petition already has this address. Choose another."),
    )


@transaction.atomic
def petition_edit(*, petition: Petition, actor, changes: dict) -> Petition:
    """The organisers' changes, checked against the petition as it is now.

    Locked first: if the moderators opened it while the form was open, the
    signed text is refused by petition_revise rather than quietly changed.
    """
    current = Petition.objects.select_for_update().get(pk=petition.pk)
    old_image = current.image.name
    petition_revise(petition=current, actor=actor, changes=changes)
    public_petition_forget(petition.slug, current.slug)
    if old_image and current.image.name != old_image:
        # A picture taken down is deleted (its narrower copies too), not left reachable
        # at its old address.
        storage = current.image.storage
        transaction.on_commit(lambda: hero_image_delete(old_image, storage=storage))
    return current


def _petition_move(petition: Petition, actor, action: str, move) -> Petition:
    with transaction.atomic():
        current = Petition.objects.select_for_update().get(pk=petition.pk)
        move(current)
        audit_record(actor=actor, action=action, target=current)
        public_petition_forget(current.slug)
    return current


def petition_submit(*, petition: Petition, actor) -> Petition:
    """Ask the moderators to review a draft; it waits in their queue."""
    return _petition_move(petition, actor, "petition.submit", Petition.submit)


def petition_close(*, petition: Petition, actor) -> Petition:
    """Stop signing now, before any closing date."""
    return _petition_move(petition, actor, "petition.close", Petition.close)


def petition_pause(*, petition: Petition, actor) -> Petition:
    """Stop signing for now, without closing. The same path as a close (the row changes,
    so the cached pages' keys do; the cached rows are forgotten here and run out within
    CHORUS_COUNT_CACHE_SECONDS on the other nodes), so every node refuses within that bound."""
    return _petition_move(petition, actor, "petition.pause", Petition.pause)


def petition_resume(*, petition: Petition, actor) -> Petition:
    return _petition_move(petition, actor, "petition.resume", Petition.resume)


def petition_opening_schedule(*, petition: Petition, actor,
                              at: datetime.datetime | None) -> Petition:
    """Set or clear the opening time before the petition opens (cleared once approved:
    it opens now)."""
    with transaction.atomic():
        current = Petition.objects.select_for_update().get(pk=petition.pk)
        current.schedule_opening(at=at)
        audit_record(actor=actor, action="petition.opening",
                     target=current, opens_at=at.isoformat() if at else None)
        public_petition_forget(current.slug)
    return current


def petition_victory_declare(*, petition: Petition, actor) -> Petition:
    return _petition_move(petition, actor, "petition.victory", Petition.declare_victory)


def petition_touch(*, petition: Petition) -> None:
    """Make the public pages show what changed now, not when their caches expire.

    The page and its fragments are cached under the petition's updated_at,
    and the petition itself under its slug for a few seconds.
    """
    Petition.objects.filter(pk=petition.pk).update(updated_at=timezone.now())
    public_petition_forget(petition.slug)
