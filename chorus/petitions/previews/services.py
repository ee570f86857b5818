"""Preview links: a petition seen before its opening time by the few its organisers trust.

The token is shown once, to the organiser who makes the link; only its keyed digest is
stored, so a copy of the database opens no preview.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.digests import keyed_digest
from chorus.petitions.models import Petition, PreviewLink

PREVIEW_DAYS_DEFAULT = 7
PREVIEW_DAYS_MAX = 30
# token_urlsafe(24) is 32 characters; anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 64


def preview_digest(token: str) -> str:
    return keyed_digest(token, purpose="preview-link")


def preview_link_create(*, petition: Petition, actor, label: str,
                        days: int = PREVIEW_DAYS_DEFAULT) -> tuple[PreviewLink, str]:
    """A new link and its token, which is never stored; only before the petition opens."""
    if not petition.is_scheduled:
        raise ValidationError(_("Preview links can only be made for an approved petition "
                                "that has not opened yet."))
    if not 1 <= days <= PREVIEW_DAYS_MAX:
        raise ValidationError(_("A preview link lasts between 1 and 30 days."))
    token = secrets.token_urlsafe(24)
    now = timezone.now()
    with transaction.atomic():
        link = PreviewLink.objects.create(
            petition=petition, label=label, digest=preview_digest(token),
            created_by=actor if actor and actor.is_authenticated else None,
            created_at=now, expires_at=now + datetime.timedelta(days=days),
        )
        audit_record(actor=actor, action="petition.preview_link.create", target=petition,
                     link=link.pk, label=label, expires_at=link.expires_at.isoformat())
    return link, token


def preview_link_revoke(*, link: PreviewLink, actor) -> bool:
    """Stop the link working; False if it was already revoked."""
    with transaction.atomic():
        revoked = PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if revoked:
            audit_record(actor=actor, action="petition.preview_link.revoke",
                         target=link.petition, link=link.pk, label=link.label)
    return bool(revoked)


def preview_link_use(*, slug: str, token: str) -> Petition | None:
    """The petition this token previews, or None: a wrong, expired or revoked token, and a
    petition that is not waiting for its opening, all look the same to the visitor.

    The first use is audited once: a conditional UPDATE, so two first visits at the same
    moment record it only once.
    """
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    link = (
        PreviewLink.objects.usable().select_related("petition__organisation")
        .filter(digest=preview_digest(token), petition__slug=slug).first()
    )
    if link is None or not link.petition.is_scheduled:
        return None
    if link.first_used_at is None:
        with transaction.atomic():
            first = PreviewLink.objects.filter(pk=link.pk, first_used_at__isnull=True).update(
                first_used_at=timezone.now())
            if first:
                audit_record(actor=None, action="petition.preview_link.first_use",
                             target=link.petition, link=link.pk, label=link.label)
    return link.petition
