import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from chorus.lib.fields import EncryptedTextField
from chorus.organisers.models import OrganisationKey
from chorus.petitions.models import Partner, Petition
from chorus.signatures.paper.models import PaperBatch, PaperEntry, PaperRow
from chorus.signatures.transparency.models import (
    Invalidation,
    LogHead,
    LogLeaf,
    ProofCheck,
    Statement,
)
from chorus.signatures.transparency.receipts import signer_leaf

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
POSTCODE_MAX_LENGTH = 16
SOURCE_MAX_LENGTH = 64


class SignatureQuerySet(models.QuerySet):
    def anonymise(self, *, keep_digest: bool = False) -> int:
        """Remove the personal data of these signatures, keeping state and country.

        Counts and country totals are unchanged. With keep_digest the keyed
        digest stays, so the address still cannot sign twice; without it, not
        even someone holding the key can tell whether an address signed.
        """
        cleared = {**PERSONAL_DATA_CLEARED, "anonymised_at": timezone.now()}
        if not keep_digest:
            cleared["email_digest"] = Concat(Value("anonymised-"), Cast("id", CharField()))
        # With no name or address left, an opt-in to a partner is nobody's: it goes too.
        # The partner the signer came through stays, like the country, for its tally.
        Signature.partner_opt_ins.through.objects.filter(signature__in=self).delete()
        return self.update(**cleared)

    def drop_server_copies(self, *, now=None) -> int:
        """Empty the server-readable address of sealed signatures that no longer need it.

        Once a signature is sealed to its organisation's key, the server keeps
        the address (under its own key) only while the confirmation flow runs:
        until the signer confirmed (and any e-mail still due went out), or the
        signature was withdrawn, invalidated or its link expired. Signers who
        asked for updates keep theirs: the mailings need it; so do signers who
        asked to hear from a partner: that partner's export needs it.
        """
        now = now or timezone.now()
        link_expired = now - timedelta(seconds=settings.CHORUS_CONFIRMATION_MAX_AGE)
        opted_in = Signature.partner_opt_ins.through.objects.filter(signature=OuterRef("pk"))
        return self.exclude(Exists(opted_in)).filter(
            Q(confirmed_at__isnull=False) | Q(created_at__lt=link_expired)
            | Q(state__in=[Signature.State.WITHDRAWN, Signature.State.INVALIDATED]),
            sealed_to__isnull=False, updates=False, confirmation_due=False,
        ).exclude(email="").update(email="", confirmation_claimed_until=None)

    def release(self) -> int:
        """Let held signatures through: confirmed ones count, the rest wait for their link.

        One UPDATE that reads confirmed_at itself, so a signer confirming at
        the same moment cannot be released as merely pending.
        """
        return self.filter(state=Signature.State.HELD).update(
            state=Case(
                When(confirmed_at__isnull=False, then=Value(Signature.State.CONFIRMED)),
                default=Value(Signature.State.PENDING),
            ),
            held_reason="",
        )

    def reject_held(self) -> int:
        """Invalidate held signatures; held_reason stays, as the record of why."""
        return self.filter(state=Signature.State.HELD).update(
            state=Signature.State.INVALIDATED, invalidated_at=timezone.now(),
            confirmation_due=False,
        )


# What "no personal data" means for a signature row.
PERSONAL_DATA_CLEARED = {
    "name": "", "email": "", "postcode": "", "ip_digest": "", "source": "",
    "updates": False, "show_name": False, "confirmation_due": False, "email_domain": "",
    "confirmation_claimed_until": None, "sealed": "", "sealed_to": None, "site_host": "",
}


class Signature(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        INVALIDATED = "invalidated", _("Invalidated")
        WITHDRAWN = "withdrawn", _("Withdrawn by the signer")
        ERASED = "erased", _("Erased by the signer")
        # Over a limit or caught by a check: not counted until a moderator
        # releases it. The signer is answered exactly as if it were accepted.
        HELD = "held", _("Held for review")

    # No index of its own: the unique constraint and the other indexes all
    # start with the petition, and every index costs each signature an insert.
    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="signatures",
        verbose_name=_("petition"), db_index=False,
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    # Encrypted at rest; never searched (the digest below is).
    email = EncryptedTextField(_("e-mail"), blank=True)
    # Keyed digest of the normalised address: the only thing de-duplication
    # reads, so the address itself can later be encrypted.
    email_digest = models.CharField(max_length=64, editable=False)
    country = CountryField(_("country"), blank=True)
    postcode = EncryptedTextField(_("postcode"), blank=True)
    updates = models.BooleanField(_("agreed to hear more"), default=False)
    show_name = models.BooleanField(_("name may be shown"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State, default=State.PENDING
    )
    # True once the counter has folded this signature into the petition's
    # count; the counter keeps it equal to (state == confirmed).
    counted = models.BooleanField(default=False, editable=False)
    source = models.CharField(_("source"), max_length=SOURCE_MAX_LENGTH, blank=True)
    # Why a held signature was held (a limit or a check), for moderators.
    held_reason = models.CharField(_("why it was held"), max_length=32, blank=True)
    # The part after the @, lower-cased: limits, trending and blocks work per domain.
    email_domain = models.CharField(_("e-mail domain"), max_length=253, blank=True)
    ip_digest = models.CharField(_("IP digest"), max_length=64, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # The signature row is the queue of its own confirmation e-mail: due is set
    # by the insert itself (one round trip, nothing to lose) and cleared by the
    # worker only once the mail server accepted the e-mail. `confirmation_sends`
    # caps how often that happens.
    confirmation_due = models.BooleanField(default=True, editable=False)
    confirmation_sends = models.PositiveSmallIntegerField(default=1, editable=False)
    # A worker's claim on the due e-mail (tasks.confirmations_send), a lease:
    # until then no other worker sends it; once past, a worker that died
    # sending it is presumed gone and the next run sends it.
    confirmation_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    # When the mail server refused the address for good (SMTP 5xx): not retried.
    confirmation_undeliverable_at = models.DateTimeField(
        _("confirmation e-mail refused"), null=True, blank=True, editable=False
    )
    # Reminders to confirm (tasks.reminders_send): how many this signature has
    # had, and when the last was claimed. Counted before sending, so a crash
    # can lose a reminder but never send one twice.
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("signed"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("invalidated"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # When the personal data was removed (erased, count-only, retention, purge).
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)
    # The public leaf of the signer's receipt (transparency/receipts.py): set by
    # a web confirmation, or by the log for a signature counted without one;
    # only erasure removes it.
    receipt_leaf = models.BinaryField(max_length=32, null=True, blank=True, editable=False)

    # The personal fields sealed to the organisation's key (lib.sealing), when it
    # has one: then the name is kept readable above only if it may be shown, the
    # postcode not at all, and the address only as long as drop_server_copies
    # allows. No index: found through the petition.
    sealed = models.TextField(_("sealed personal fields"), blank=True, db_default="",
                              editable=False)
    sealed_to = models.ForeignKey(
        OrganisationKey, null=True, blank=True, on_delete=models.RESTRICT, related_name="+",
        db_index=False, editable=False, verbose_name=_("sealed to"),
    )
    # The configured host (CHORUS_SITE_HOSTS) the signer came from, so that their
    # e-mails link back to it: an onion signer is never sent to the clearnet.
    site_host = models.CharField(max_length=253, blank=True, db_default="", editable=False)
    # The partner whose link the signer came through (its source code was the
    # link's), written by the same INSERT; kept when the personal data goes, like
    # the country, so the partner's tally stays. No index of its own: see below.
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="signatures",
        db_index=False, verbose_name=_("came through partner"),
    )
    # The partners the signer asked to hear from. A table of its own, written
    # only when a signer ticked one, so a signature without opt-ins stays one
    # INSERT (services.signature_create).
    partner_opt_ins = models.ManyToManyField(
        Partner, blank=True, related_name="opted_in", verbose_name=_("partners to hear from"),
    )
    # Signed on a paper sheet: the verified batch it was typed in from. No
    # index of its own (the partial one below serves the public figure), and
    # online signing never writes it.
    paper_batch = models.ForeignKey(
        PaperBatch, null=True, blank=True, on_delete=models.RESTRICT, related_name="signatures",
        db_index=False, editable=False, verbose_name=_("paper batch"),
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "email_digest"], name="one_signature_per_address"
            ),
        ]
        indexes = [
            # The counter's work list: signatures whose state and counted flag
            # disagree. Partial, so it stays tiny however many are stored.
            models.Index(
                fields=["petition"],
                name="signature_uncounted",
                condition=Q(state="confirmed", counted=False)
                | (Q(counted=True) & ~Q(state="confirmed")),
            ),
            models.Index(
                fields=["id"], name="signature_confirmation_due",
                condition=Q(confirmation_due=True),
            ),
            models.Index(fields=["petition", "state", "created_at"]),
            # Signatures that may still be owed a reminder: they leave it once
            # confirmed, withdrawn, deleted or reminded twice, so it stays
            # small on a table of millions (tasks._reminders_due_sql).
            models.Index(
                fields=["petition", "created_at"], name="signature_reminder_due",
                condition=Q(state__in=["pending", "held"], confirmed_at__isnull=True,
                            reminders_sent__lt=2),
            ),
            # Country totals read only counted rows: an index-only scan.
            models.Index(fields=["petition", "counted", "country"]),
            # Limits count recent signatures per IP digest and domain. Not led
            # by petition: during a rush a new petition's statistics are stale
            # (it "has no rows"), and PostgreSQL would pick any petition-led
            # index and filter thousands of rows per signature (measured: 5 ms).
            models.Index(fields=["ip_digest", "created_at"], name="signature_recent_by_ip"),
            models.Index(fields=["email_domain", "created_at"],
                         name="signature_recent_by_domain"),
            models.Index(fields=["created_at"], name="signature_held",
                         condition=Q(state="held")),
            # The log finds why a leaf left the tree by its leaf; unconfirmed
            # signatures have none and stay out of this index.
            models.Index(fields=["petition", "receipt_leaf"], name="signature_by_leaf",
                         condition=Q(receipt_leaf__isnull=False)),
            # Counted without a web confirmation (the keyed API, before the log
            # existed): the log gives these a leaf. Empty almost always.
            models.Index(fields=["id"], name="signature_counted_no_leaf",
                         condition=Q(counted=True, receipt_leaf__isnull=True)),
            # Partners' tallies. Partial: a signature from no partner's link
            # pays no insert into it.
            models.Index(fields=["partner", "state"], name="signature_by_partner",
                         condition=Q(partner__isnull=False)),
            # "Of which N on paper": only paper rows are in it.
            models.Index(fields=["petition", "counted"], name="signature_on_paper",
                         condition=Q(paper_batch__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}/{self.pk}"

    def confirm(self) -> bool:
        """Confirm a pending or held signature. Returns False if there was nothing to confirm.

        A held signature records that its signer confirmed but stays held: it
        counts only once a moderator releases it. Its signer sees the same
        "confirmed" page (see `confirmed_by_signer`). Conditional UPDATEs, so
        concurrent confirmations of one link confirm it once: only the first
        finds it still unconfirmed.
        """
        now = timezone.now()
        # A confirmation e-mail still due is no longer needed; a due flag on a
        # confirmed row then always means "signed again since": the worker
        # answers it with "you have already signed".
        leaf = signer_leaf(self)
        updated = Signature.objects.filter(pk=self.pk, state=self.State.PENDING).update(
            state=self.State.CONFIRMED, confirmed_at=now, confirmation_due=False,
            receipt_leaf=leaf,
        )
        if updated:
            self.state, self.confirmed_at, self.receipt_leaf = self.State.CONFIRMED, now, leaf
            return True
        updated = Signature.objects.filter(
            pk=self.pk, state=self.State.HELD, confirmed_at__isnull=True
        ).update(confirmed_at=now, confirmation_due=False, receipt_leaf=leaf)
        # Another request may have confirmed it a moment ago: show what is true now.
        self.refresh_from_db(fields=["state", "confirmed_at", "receipt_leaf"])
        return bool(updated)

    @property
    def confirmed_by_signer(self) -> bool:
        """Whether the signer has confirmed: what they are shown, held or not.

        A held signature must look to its signer exactly like an accepted one.
        """
        return self.confirmed_at is not None and self.state in (
            self.State.CONFIRMED, self.State.HELD
        )

    @property
    def state_for_signer(self) -> str:
        """The state the signer's own page shows: "held" is never shown to them."""
        if self.state == self.State.HELD:
            return self.State.CONFIRMED if self.confirmed_at else self.State.PENDING
        return self.state

    def get_state_for_signer_display(self) -> str:
        return self.State(self.state_for_signer).label

    def release(self) -> bool:
        """A moderator lets a held signature through (see SignatureQuerySet.release)."""
        released = Signature.objects.filter(pk=self.pk).release()
        self.refresh_from_db(fields=["state", "held_reason"])
        return bool(released)

    def withdraw(self) -> bool:
        """The signer takes their signature back; it leaves the count at the next run."""
        now = timezone.now()
        updated = Signature.objects.filter(
            pk=self.pk, state__in=[self.State.PENDING, self.State.CONFIRMED, self.State.HELD]
        ).update(state=self.State.WITHDRAWN, withdrawn_at=now, updates=False,
                 confirmation_due=False)
        if updated:
            if self.show_name and self.state == self.State.CONFIRMED:
                # A kept delivery document prints their name: it goes, and is made again.
                DeliveryDocument.objects.filter(petition_id=self.petition_id).discard()
            self.state, self.withdrawn_at, self.updates = self.State.WITHDRAWN, now, False
            # Withdrawing takes back every "keep me informed", partners' too.
            self.partner_opt_ins.clear()
            Signature.objects.filter(pk=self.pk).drop_server_copies()
        return bool(updated)

    def erase(self) -> None:
        """Remove everything about the signer; the count follows at the next run.

        The row stays, emptied, so the counter can take it out of the count;
        its digest is replaced, so the address may sign again.
        """
        if self.show_name and self.state == self.State.CONFIRMED:
            # A kept delivery document prints their name: it goes, and is made again.
            DeliveryDocument.objects.filter(petition_id=self.petition_id).discard()
        Signature.objects.filter(pk=self.pk).anonymise()
        # The leaf goes too: the next statement's tree no longer holds it.
        Signature.objects.filter(pk=self.pk).update(state=self.State.ERASED, country="",
                                                    receipt_leaf=None)
        self.refresh_from_db()

    def invalidate(self) -> bool:
        now = timezone.now()
        updated = Signature.objects.filter(pk=self.pk).exclude(
            state=self.State.INVALIDATED
        ).update(state=self.State.INVALIDATED, invalidated_at=now)
        if updated:
            self.state, self.invalidated_at = self.State.INVALIDATED, now
        return bool(updated)


class CountSnapshot(models.Model):
    """A petition's count at the end of an hour, written by the counter.

    Only the current hour's snapshot is ever updated, so a published figure
    ("9,500 as of 18 February") stays as it was.
    """

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="count_snapshots",
        verbose_name=_("petition"),
    )
    hour = models.DateTimeField(_("hour"))
    signature_count = models.PositiveIntegerField(_("signatures"))

    class Meta:
        ordering = ["hour"]
        verbose_name = _("count snapshot")
        verbose_name_plural = _("count snapshots")
        constraints = [
            models.UniqueConstraint(fields=["petition", "hour"], name="one_snapshot_per_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.hour:%Y-%m-%d %H:00}: {self.signature_count}"


class DeliveryDocumentQuerySet(models.QuerySet):
    def discard(self) -> int:
        """Delete these documents and their files: signers' names must not outlive a purge.

        The files go once the transaction commits: one rolled back keeps them.
        """
        names = [name for name in self.values_list("file", flat=True) if name]
        deleted, _ = self.delete()

        def delete_files():
            for name in names:
                storages["private"].delete(name)

        transaction.on_commit(delete_files)
        return deleted


class DeliveryDocument(models.Model):
    """A petition's delivery document made in the background, kept for its owners.

    One per petition: a new request replaces the old one. The worker builds
    the request named by `request` and writes the file under a temporary name,
    renamed only when whole, so a build that dies leaves no half file; a build
    whose request was replaced meanwhile throws its file away.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting to be prepared")
        BUILDING = "building", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be made")

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="delivery_document",
        verbose_name=_("petition"),
    )
    request = models.UUIDField(_("request"), default=uuid.uuid4)
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    # The requester's language: the document's and the e-mail's.
    language = models.CharField(_("language"), max_length=16, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    made_at = models.DateTimeField(_("made"), null=True, blank=True)
    # Its name in the "private" storage, never in MEDIA_ROOT (which may be served).
    file = models.CharField(_("file"), max_length=200, blank=True)
    sealed = models.BooleanField(_("sealed to the organisation's key"), default=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # The confirmed total the document states, and the petition's count then.
    signatures = models.PositiveIntegerField(_("signatures"), null=True, blank=True)
    counted = models.PositiveIntegerField(_("counted then"), null=True, blank=True)
    # The kind of error only ("ENOSPC", "MemoryError"): never a path or a name.
    failure = models.CharField(_("failure"), max_length=40, blank=True)

    objects = DeliveryDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery document")
        verbose_name_plural = _("delivery documents")

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.state}"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY and bool(self.file)

    @property
    def is_pending(self) -> bool:
        """Queued or being built, and not given up for dead (a worker killed mid-build)."""
        if self.state not in (self.State.QUEUED, self.State.BUILDING):
            return False
        since = self.started_at or self.requested_at
        return since > timezone.now() - timedelta(seconds=settings.CHORUS_DELIVERY_BUILD_TIMEOUT)

    @property
    def signatures_since(self) -> int:
        """How many more the petition counts now than when the document was made."""
        return self.petition.signature_count - (self.counted or 0)


class Block(models.Model):
    """Staff block: signatures matching it are held, never counted unless released.

    IPs and addresses are matched by their keyed digests, so the list itself
    holds neither; domains are kept as written.
    """

    class Kind(models.TextChoices):
        IP = "ip", _("IP address (digest)")
        DOMAIN = "domain", _("E-mail domain")
        ADDRESS = "address", _("E-mail address (digest)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    value = models.CharField(_("value"), max_length=253)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("block")
        verbose_name_plural = _("blocklist")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="one_block_per_value"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value[:16]}"


class UsedChallenge(models.Model):
    """A proof-of-work challenge already spent: the library alone would accept replays."""

    # A digest of the challenge, unique: the second use fails on the constraint.
    challenge = models.CharField(max_length=128, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("used challenge")
        verbose_name_plural = _("used challenges")

    def __str__(self) -> str:
        return self.challenge[:12]


__all__ = ["Block", "CountSnapshot", "Invalidation", "LogHead", "LogLeaf", "PaperBatch",
           "PaperEntry", "PaperRow", "ProofCheck", "Signature", "Statement", "UsedChallenge"]
