"""The public log of a petition's count: statements, their leaves, and the invalidation record.

Registered through chorus.signatures.models, like every model of the app.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.petitions.models import Petition


class Statement(models.Model):
    """One signed statement of a petition's log. Written once, never changed."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        KEY = "key", _("Key rotation")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="statements",
        verbose_name=_("petition"), db_index=False,
    )
    seq = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind, default=Kind.COUNT)
    published_at = models.DateTimeField(_("published"))
    signature_count = models.PositiveIntegerField(_("signatures"))
    root = models.CharField(_("tree root"), max_length=64)
    key_fingerprint = models.CharField(_("signing key"), max_length=64)
    # The statement exactly as published (canonical JSON, signature included).
    document = models.TextField(editable=False)
    # SHA-256 of `document`, which the next statement names as its previous one.
    digest = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["petition", "seq"]
        verbose_name = _("log statement")
        verbose_name_plural = _("log statements")
        constraints = [
            models.UniqueConstraint(fields=["petition", "seq"], name="one_statement_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} #{self.seq}: {self.signature_count}"


class LogLeaf(models.Model):
    """A leaf, and the statements whose trees hold it: from added_seq up to before removed_seq.

    Kept apart from the signature, without a link to it, so that every published
    tree can be rebuilt after its signers have withdrawn or erased their
    signatures (a leaf is the hash of a secret: it tells nothing about anyone).
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+",
                                 db_index=False)
    leaf = models.BinaryField(max_length=32)
    added_seq = models.PositiveIntegerField()
    removed_seq = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("log leaf")
        verbose_name_plural = _("log leaves")
        indexes = [models.Index(fields=["petition", "leaf"], name="logleaf_by_leaf")]

    def __str__(self) -> str:
        return bytes(self.leaf).hex()[:12]


class LogHead(models.Model):
    """Where a petition's log stands, and when its counted signatures last changed."""

    petition = models.OneToOneField(Petition, on_delete=models.CASCADE, primary_key=True,
                                    related_name="+")
    # Set by the counter whenever it counts or uncounts one of the petition's signatures.
    changed_at = models.DateTimeField(null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True)
    key_fingerprint = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"{self.petition_id} #{self.seq}"


class Invalidation(models.Model):
    """A moderator's invalidation, as the public may see it: when, how many, why.

    Never an address, a digest or an IP. `counted` is how many of them were
    counted when invalidated: the most the count may drop because of it. The
    log's statements carry these figures, signed.
    """

    class Reason(models.TextChoices):
        DISPOSABLE = "disposable", _("Disposable e-mail addresses")
        ONE_MACHINE = "one_machine", _("Many signatures from one machine")
        AUTOMATED = "automated", _("Automated signing")
        MADE_UP = "made_up", _("Made-up names or addresses")
        ONE_PERSON = "one_person", _("One person signing many times")
        HELD = "held", _("Held for review and rejected")
        OTHER = "other", _("Other abuse")

    class Kind(models.TextChoices):
        BULK = "bulk", _("By conditions")
        SINGLE = "single", _("One by one")
        HELD = "held", _("Held signatures")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE,
                                 related_name="invalidations", verbose_name=_("petition"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("how"), max_length=8, choices=Kind)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason)
    signatures = models.PositiveIntegerField(_("signatures invalidated"), default=0)
    counted = models.PositiveIntegerField(_("of which counted"), default=0)
    restored = models.PositiveIntegerField(_("restored since"), default=0)
    # The figures the log last published for this record.
    published = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["petition", "at", "pk"]
        verbose_name = _("public invalidation record")
        verbose_name_plural = _("public invalidation record")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.at:%Y-%m-%d}: {self.signatures} ({self.reason})"

    def as_published(self) -> dict:
        return {"id": self.pk, "at": self.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "kind": self.kind, "reason": self.reason, "signatures": self.signatures,
                "counted": self.counted, "restored": self.restored}


class ProofCheck(models.Model):
    """An inclusion proof asked for, kept only while it counts towards CHORUS_PROOF_RATE.

    Neither the receipt nor the answer: only the keyed digest of the address, as the
    login lockout keeps it (organisers.LoginFailure), so the table cannot tell who
    checked which signature. In the database, so that the limit holds across processes
    and servers.
    """

    ip_digest = models.CharField(_("IP digest"), max_length=64)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("proof check")
        verbose_name_plural = _("proof checks")
        indexes = [
            models.Index(fields=["ip_digest", "created_at"], name="proofcheck_ip"),
            models.Index(fields=["created_at"], name="proofcheck_created"),
        ]

    def __str__(self) -> str:
        return f"{self.ip_digest[:12]} {self.created_at:%Y-%m-%d %H:%M}"
