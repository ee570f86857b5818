from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.petitions.models import Petition
from chorus.signatures.models import Invalidation

# How much of a keyed IP digest pages, the audit log and the webhook show:
# enough to tell two apart, and the same prefix everywhere.
SHORT_DIGEST_LENGTH = 12


class Flag(models.Model):
    """An IP digest or e-mail domain that signed one petition unusually often.

    While a flag is open, later detections update it (count, last seen, window
    end) rather than adding another row, so moderators see one line per value.
    """

    class Kind(models.TextChoices):
        IP = "ip", _("IP address (digest)")
        DOMAIN = "domain", _("E-mail domain")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DISMISSED = "dismissed", _("Dismissed")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="trending_flags",
        verbose_name=_("petition"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    # The full keyed digest for an IP (what Block and Signature hold), the
    # domain as written for an e-mail domain; never an address or an IP.
    value = models.CharField(_("value"), max_length=253)
    # The most signatures seen within one window.
    count = models.PositiveIntegerField(_("signatures"))
    window_seconds = models.PositiveIntegerField(_("window (seconds)"))
    # From the start of the first window that crossed the threshold to the end
    # of the latest one: where the signatures to look at are.
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.OPEN)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed"), null=True, blank=True)

    class Meta:
        ordering = ["-first_seen_at", "-pk"]
        verbose_name = _("trending flag")
        verbose_name_plural = _("trending flags")
        constraints = [
            # Two detection runs at once cannot open the same flag twice.
            models.UniqueConstraint(
                fields=["petition", "kind", "value"], condition=Q(state="open"),
                name="one_open_flag_per_value",
            ),
        ]
        indexes = [models.Index(fields=["state", "first_seen_at"])]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.kind}: {self.short_value}"

    @property
    def short_value(self) -> str:
        return self.value[:SHORT_DIGEST_LENGTH] if self.kind == self.Kind.IP else self.value

    @property
    def window_minutes(self) -> int:
        return self.window_seconds // 60

    def dismiss(self, *, moderator, now=None) -> bool:
        """Close an open flag; False if it was already closed."""
        now = now or timezone.now()
        updated = Flag.objects.filter(pk=self.pk, state=self.State.OPEN).update(
            state=self.State.DISMISSED, dismissed_by=moderator, dismissed_at=now
        )
        if updated:
            self.state, self.dismissed_by, self.dismissed_at = (
                self.State.DISMISSED, moderator, now
            )
        return bool(updated)


class InvalidationBatch(models.Model):
    """Signatures a moderator invalidated together, by conditions, so they can be undone."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Invalidating")
        DONE = "done", _("Done")
        UNDONE = "undone", _("Undone")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="invalidation_batches",
        verbose_name=_("petition"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    # What the moderator chose (see abuse_forms.BulkInvalidationForm.conditions):
    # domain, IP digest, country, window, states. Never an address or an IP.
    conditions = models.JSONField(_("conditions"), default=dict)
    matched = models.PositiveIntegerField(_("matched when confirmed"))
    invalidated = models.PositiveIntegerField(_("invalidated"), default=0)
    # How many of those were confirmed: how much the count dropped.
    invalidated_confirmed = models.PositiveIntegerField(_("of them confirmed"), default=0)
    restored = models.PositiveIntegerField(_("restored"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.QUEUED)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Also the invalidated_at of every signature this batch invalidated, so an
    # undo touches only signatures still invalidated by it.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    # What the public log shows of this batch: when, how many, why.
    public_record = models.OneToOneField(
        Invalidation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("public record"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invalidation batch")
        verbose_name_plural = _("invalidation batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.petition_id}: {self.matched}"

    @property
    def can_undo(self) -> bool:
        return self.state == self.State.DONE


class InvalidatedSignature(models.Model):
    """One signature a batch invalidated, and the state it had before."""

    batch = models.ForeignKey(
        InvalidationBatch, on_delete=models.CASCADE, related_name="entries",
    )
    # Retention may delete the signature later; its entry goes with it.
    signature = models.ForeignKey(
        "signatures.Signature", on_delete=models.CASCADE, related_name="+",
    )
    previous_state = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("invalidated signature")
        verbose_name_plural = _("invalidated signatures")
        constraints = [
            models.UniqueConstraint(fields=["batch", "signature"],
                                    name="one_entry_per_signature_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.signature_id}"
