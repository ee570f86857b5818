"""Partner organisations on a petition: a campaign run by a network, not one group."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SOURCE_MAX_LENGTH = 64
# As long as an invitation to join an organisation (organisers.tokens).
INVITATION_MAX_AGE = 7 * 24 * 3600


class PartnerConsent(models.TextChoices):
    """Whom the sign form offers a partner's consent line to."""

    THROUGH = "through", _("Only to signers who came through that partner's link")
    EVERY = "every", _("To every signer: each partner as a separate opt-in")


class PartnerQuerySet(models.QuerySet):
    def active(self):
        """Partners that accepted and are still on the petition."""
        return self.filter(accepted_at__isnull=False)

    def waiting(self, *, now=None):
        """Invitations not yet accepted whose link still works."""
        now = now or timezone.now()
        return self.filter(
            accepted_at__isnull=True,
            invited_at__gte=now - datetime.timedelta(seconds=INVITATION_MAX_AGE),
        )


class Partner(models.Model):
    """A partner organisation on one petition, from the owner's invitation onwards.

    Until accepted, the row is the invitation: only a digest of its link's
    secret is kept, so the link is shown once and cannot be shown again.
    Accepting names the organisation and gives the partnership its source
    code, carried by the partner's own link and embed. Removing a partner
    deletes the row: its signers' opt-ins go with it, and their signatures
    stay in the petition's one count.
    """

    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="partners",
        verbose_name=_("petition"),
    )
    organisation = models.ForeignKey(
        "organisers.Organisation", null=True, blank=True, on_delete=models.CASCADE,
        related_name="partnerships", verbose_name=_("partner organisation"),
    )
    source = models.CharField(_("source code"), max_length=SOURCE_MAX_LENGTH, blank=True)
    secret_digest = models.CharField(max_length=64, blank=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("accepted by"),
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["accepted_at", "pk"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["petition", "source"], name="one_partner_per_source",
                                    condition=~Q(source="")),
            models.UniqueConstraint(fields=["petition", "organisation"],
                                    name="one_partnership_per_organisation",
                                    condition=Q(organisation__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.organisation or _('invitation')}"

    @property
    def is_active(self) -> bool:
        return self.accepted_at is not None
