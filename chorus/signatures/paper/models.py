"""Paper signatures: batches of sign sheets, each typed in twice by different people.

Imported by chorus.signatures.models, so the app sees them; nothing here
imports a signature, so a signature may point at its batch.
"""

import re
import unicodedata

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from chorus.lib.digests import keyed_digest, normalise_email
from chorus.lib.fields import EncryptedTextField
from chorus.petitions.models import Petition

ROWS_PER_PAGE = 20
MAX_ROWS = 2000
COLLECTOR_MAX_LENGTH = 100
WHERE_MAX_LENGTH = 200


class PaperBatch(models.Model):
    """The sign sheets of one collection (a stall, a day, a collector) and their entry."""

    class State(models.TextChoices):
        FIRST_ENTRY = "first_entry", _("First entry under way")
        SECOND_ENTRY = "second_entry", _("Waiting for the second entry")
        COMPARING = "comparing", _("Waiting for verification")
        VERIFIED = "verified", _("Verified and counted")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE,
                                 related_name="paper_batches", verbose_name=_("petition"))
    # Printed on every sheet, so a sheet found loose is put back in its batch.
    code = models.CharField(_("code"), max_length=12, unique=True)
    collector = models.CharField(_("collector"), max_length=COLLECTOR_MAX_LENGTH)
    collector_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("collector (member)"),
    )
    collected_where = models.CharField(_("where collected"), max_length=WHERE_MAX_LENGTH,
                                       blank=True)
    collected_on = models.DateField(_("when collected"), null=True, blank=True)
    expected_rows = models.PositiveIntegerField(_("expected rows"))
    state = models.CharField(_("state"), max_length=16, choices=State,
                             default=State.FIRST_ENTRY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    # The verification summary: rows that became signatures, and the row
    # numbers whose address had already signed (online or on paper).
    counted_rows = models.PositiveIntegerField(_("rows counted"), default=0)
    already_signed = models.JSONField(_("rows already signed"), default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("paper batch")
        verbose_name_plural = _("paper batches")

    def __str__(self) -> str:
        return self.code

    def entry(self, number: int) -> "PaperEntry | None":
        return self.entries.filter(number=number).first()

    def _move(self, from_states: list[str], to_state: str, **fields) -> bool:
        """A state change that happens once: a conditional UPDATE, so of two requests
        racing for it only the one that still finds the old state moves the batch."""
        moved = PaperBatch.objects.filter(pk=self.pk, state__in=from_states).update(
            state=to_state, **fields)
        self.refresh_from_db()
        return bool(moved)

    def first_entry_done(self) -> bool:
        """The first entry is finished: on to the second, or straight back to comparing
        when the batch was sent back after a second entry."""
        second = self.entry(2)
        after = (self.State.COMPARING if second and second.finished_at
                 else self.State.SECOND_ENTRY)
        return self._move([self.State.FIRST_ENTRY], after)

    def second_entry_done(self) -> bool:
        return self._move([self.State.SECOND_ENTRY], self.State.COMPARING)

    def send_back(self) -> bool:
        """The verifier found the first entry wrong: its author checks it again."""
        return self._move([self.State.COMPARING], self.State.FIRST_ENTRY)

    def mark_verified(self, *, by) -> bool:
        """Comparing → verified, once. See services.batch_verify for why this is the lock."""
        return self._move([self.State.COMPARING], self.State.VERIFIED,
                          verified_by=by, verified_at=timezone.now())


class PaperEntry(models.Model):
    """One person's typing of a batch: the first, or the second (blind) one."""

    class Source(models.TextChoices):
        TYPED = "typed", _("Typed in")
        IMPORTED = "imported", _("Imported from a CSV file")

    batch = models.ForeignKey(PaperBatch, on_delete=models.CASCADE, related_name="entries")
    number = models.PositiveSmallIntegerField(_("entry"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("entered by"))
    source = models.CharField(max_length=16, choices=Source, default=Source.TYPED)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Kept after the rows lose their personal data, for the attribution figures.
    rows_entered = models.PositiveIntegerField(_("rows entered"), default=0)

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="one_entry_per_pass"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.number}"

    @property
    def minutes(self) -> float | None:
        if not self.finished_at:
            return None
        return max((self.finished_at - self.started_at).total_seconds() / 60, 0.0)


def normalised_name(name: str) -> str:
    """What two people typing one handwritten name agree on: case, accents' composition
    and runs of spaces never matter."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def name_digest(name: str) -> str:
    # Keyed, so repeated names can still be found once the names themselves are gone.
    return keyed_digest(normalised_name(name), purpose="paper-name") if name.strip() else ""


class PaperRow(models.Model):
    """One line of a sign sheet as one entry typed it.

    Once its batch is verified the row keeps no name or address (the
    signature holds them, encrypted or sealed like an online one): only the
    name's keyed digest and the country, for the anomaly figures.
    """

    entry = models.ForeignKey(PaperEntry, on_delete=models.CASCADE, related_name="rows")
    # The line number on the sheets, counted across pages from 1.
    position = models.PositiveIntegerField(_("row"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    updates = models.BooleanField(_("agreed to hear more"), default=False)
    name_digest = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["entry", "position"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "position"], name="one_row_per_line"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id}:{self.position}"

    def comparable(self) -> tuple:
        """The row as the comparison of two entries sees it."""
        email = self.email.strip()
        return (normalised_name(self.name), self.country.code if self.country else "",
                normalise_email(email) if email else "", self.updates)
