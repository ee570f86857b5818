"""Partner organisations on a petition: inviting, accepting, removing, and whose consent
lines the sign form shows. Every step is in the audit log."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.slugs import free_slug
from chorus.organisers.models import Organisation, Role
from chorus.organisers.permissions import membership_for
from chorus.petitions.models import Partner, PartnerConsent, Petition
from chorus.petitions.partners import tokens
from chorus.petitions.partners.models import SOURCE_MAX_LENGTH
from chorus.petitions.services import petition_touch


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def partner_invite(*, actor, petition: Petition) -> tuple[Partner, str]:
    """A new invitation and its link's token, which is shown once: only a digest is kept."""
    secret = secrets.token_urlsafe(24)
    partner = Partner.objects.create(petition=petition, secret_digest=_digest(secret),
                                     invited_by=actor)
    audit_record(actor=actor, action="partner.invite", target=petition, invitation=partner.pk)
    return partner, tokens.invitation_token(partner.pk, secret)


def partner_invitation_from_token(token: str) -> Partner | None:
    """The waiting invitation a link names; None if forged, expired, used or revoked."""
    found = tokens.invitation_from_token(token)
    if found is None:
        return None
    partner_id, secret = found
    partner = (Partner.objects.waiting().select_related("petition__organisation")
               .filter(pk=partner_id).first())
    if partner is None or not constant_time_compare(partner.secret_digest, _digest(secret)):
        return None
    return partner


def partner_invitation_revoke(*, actor, partner: Partner) -> None:
    audit_record(actor=actor, action="partner.invitation_revoke", target=partner.petition,
                 invitation=partner.pk)
    partner.delete()


def organisations_that_may_accept(user, petition: Petition):
    """The organisations this user owns that could become partners of the petition."""
    return (
        Organisation.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
        .exclude(pk=petition.organisation_id)
        .exclude(partnerships__petition=petition)
        .order_by("name")
    )


def partner_accept(*, partner: Partner, organisation: Organisation, user) -> Partner:
    """An owner of another organisation makes it a partner; an invitation works once."""
    petition = partner.petition
    membership = membership_for(user, organisation)
    if membership is None or not membership.allows(Role.OWNER):
        raise ValidationError(_("Only an owner of an organisation can accept for it."),
                              code="not_owner")
    if organisation.pk == petition.organisation_id:
        raise ValidationError(_("This petition is already your organisation's own."),
                              code="own")
    if Partner.objects.filter(petition=petition, organisation=organisation).exists():
        raise ValidationError(_("Your organisation is already a partner on this petition."),
                              code="already")
    # free_slug reads a "slug" column: here, the codes the petition's partners have.
    taken = Partner.objects.filter(petition=petition).annotate(slug=F("source"))
    for _attempt in range(5):
        source = free_slug(taken, organisation.slug, fallback="partner",
                           max_length=SOURCE_MAX_LENGTH - 4)
        try:
            with transaction.atomic():
                # Claimed in the statement that checks it is unclaimed: two
                # clicks at once cannot both accept it.
                claimed = Partner.objects.filter(pk=partner.pk, accepted_at__isnull=True).update(
                    organisation=organisation, source=source, accepted_by=user,
                    accepted_at=timezone.now(), secret_digest="",
                )
                if not claimed:
                    raise ValidationError(_("This invitation has already been used."),
                                          code="used")
                audit_record(actor=user, action="partner.accept", target=petition,
                             partner=partner.pk, organisation=organisation.slug, source=source)
        except IntegrityError:
            continue  # another partner took this code, or this organisation, a moment ago
        petition_touch(petition=petition)
        partner.refresh_from_db()
        return partner
    raise ValidationError(_("Please try again."), code="busy")


def partner_remove(*, actor, partner: Partner) -> None:
    """The partner leaves the petition: its link and consent line stop, its signers'
    opt-ins go (they were to hear from it alone), their signatures still count."""
    petition = partner.petition
    audit_record(actor=actor, action="partner.remove", target=petition, partner=partner.pk,
                 organisation=partner.organisation.slug if partner.organisation else "")
    partner.delete()
    petition_touch(petition=petition)


def partner_consent_set(*, actor, petition: Petition, mode: str) -> None:
    before = petition.partner_consent
    Petition.objects.filter(pk=petition.pk).update(partner_consent=PartnerConsent(mode))
    petition.partner_consent = mode
    audit_record(actor=actor, action="partner.consent_mode", target=petition,
                 before=before, mode=mode)
    petition_touch(petition=petition)
