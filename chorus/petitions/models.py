import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chorus.lib.images import HeroImageField
from chorus.lib.markdown import render_markdown
from chorus.organisers.models import Organisation
from chorus.petitions.partners.models import Partner, PartnerConsent

# What a signer sees, on the page, in the embed and from the API, while signing is paused.
PAUSED_MESSAGE = _("Signing is paused for now.")


def _opened() -> Q:
    """Approved petitions whose opening time, if they have one, has come.

    Read from the clock at every query, so a petition opens at its time with no
    job to run and no restart: nothing has to flip a flag at the press conference.
    """
    return Q(opens_at__isnull=True) | Q(opens_at__lte=timezone.now())


class PetitionQuerySet(models.QuerySet):
    def visible(self):
        """Petitions anyone may read: open now, or closed after being open."""
        return self.filter(_opened(), state__in=[Petition.State.OPEN, Petition.State.CLOSED])

    def with_public_address(self):
        """Petitions whose public address answers: the visible ones, and those the
        moderators took down (which answer 410 Gone, so links in old news stories
        say what happened instead of "not found")."""
        return self.approved().filter(_opened())

    def approved(self):
        """Petitions the moderators let through, whether or not their opening time has
        come: what the public-petition cache holds, so that a petition opens the moment
        its time comes even while its row sits in a cache (see Petition.is_public)."""
        return self.filter(
            state__in=[Petition.State.OPEN, Petition.State.CLOSED, Petition.State.TAKEN_DOWN]
        )

    def scheduled(self):
        """Approved petitions waiting for their opening time: public nowhere yet."""
        return self.filter(state=Petition.State.OPEN, opens_at__gt=timezone.now())

    def open_now(self):
        """Open and before their closing date, signing paused or not: a pause stops the
        signatures, not the petition (its count stays current, its log keeps speaking)."""
        now = timezone.now()
        return self.filter(_opened(), state=Petition.State.OPEN).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )

    def signable(self):
        return self.open_now().filter(paused_at__isnull=True)

    def most_signed(self):
        return self.order_by("-signature_count", "-opened_at")


class Petition(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Awaiting review")
        REJECTED = "rejected", _("Rejected")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        TAKEN_DOWN = "taken_down", _("Taken down")

    # What people sign: once anyone has signed, only staff may correct these,
    # and every change is kept in the petition's public history.
    SIGNED_FIELDS = ("title", "target", "ask", "body")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="petitions",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    target = models.CharField(
        _("target"), max_length=200, help_text=_("Who decides, e.g. “The Government of …”.")
    )
    ask = models.CharField(_("what we ask"), max_length=500, help_text=_("One sentence."))
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    image = HeroImageField(_("image"), upload_to="petitions/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("photo credit"), max_length=200, blank=True)
    statement = models.TextField(_("statement"), blank=True)
    statement_by = models.CharField(_("statement by"), max_length=200, blank=True)
    statement_role = models.CharField(_("their role"), max_length=200, blank=True)
    goal = models.PositiveIntegerField(
        _("goal"), default=1000, validators=[MinValueValidator(1)]
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.DRAFT)
    # The language the text is written in; translations add others.
    language = models.CharField(
        _("language"), max_length=16, default=settings.LANGUAGE_CODE,
    )
    count_only = models.BooleanField(
        _("keep only the count"), default=False,
        help_text=_(
            "After confirmation, keep nothing but the country (and a keyed digest against "
            "duplicates) of signers who asked neither for updates nor to show their name."
        ),
    )
    discreet_email = models.BooleanField(
        _("discreet e-mail"), default=False,
        help_text=_(
            "Confirmation e-mails come from a neutral sender with a neutral subject "
            "(“Please confirm your action”) and do not name the petition before the link."
        ),
    )
    # For signers on a shared or watched device: a quick way off the page, no
    # remembered form entries; the signer's pages never leave a trace anyway.
    sensitive = models.BooleanField(
        _("sensitive"), default=False,
        help_text=_(
            "Show a “Leave this page” quick exit on the petition and the signer's pages, "
            "and ask browsers not to remember what was typed in the sign form."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("created by"),
    )
    submitted_at = models.DateTimeField(_("submitted for review"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    rejection_reason = models.ForeignKey(
        "petitions.RejectionReason", null=True, blank=True, on_delete=models.PROTECT,
        verbose_name=_("rejection reason"),
    )
    # The moderators' last word to the organiser: why it was rejected, or what to change.
    moderation_note = models.TextField(_("note from the moderators"), blank=True)
    # Set while the moderators have taken the published petition down; its
    # signatures and count are kept, so restoring it brings back the same figures.
    taken_down_at = models.DateTimeField(_("taken down"), null=True, blank=True)
    taken_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("taken down by"),
    )
    takedown_reason = models.ForeignKey(
        "petitions.RejectionReason", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reason for the takedown"),
    )
    # For the organisers only: never shown on a public page.
    takedown_note = models.TextField(_("the moderators' note on the takedown"), blank=True)
    takedown_reason_public = models.BooleanField(
        _("reason shown on the public page"), default=False,
    )
    state_before_takedown = models.CharField(
        _("state before the takedown"), max_length=16, choices=State, blank=True,
    )
    victory_at = models.DateTimeField(_("victory declared"), null=True, blank=True)
    response_text = models.TextField(_("the target's response"), blank=True)
    response_date = models.DateField(_("date of the response"), null=True, blank=True)
    # Which partners' consent lines the sign form shows (chorus.petitions.partners).
    partner_consent = models.CharField(
        _("partners' consent lines"), max_length=16, choices=PartnerConsent,
        default=PartnerConsent.THROUGH,
    )

    class ProofOfWork(models.TextChoices):
        AUTO = "auto", _("Only when abuse is detected")
        ALWAYS = "always", _("Always")

    proof_of_work = models.CharField(
        _("proof of work before signing"), max_length=16, choices=ProofOfWork,
        default=ProofOfWork.AUTO,
    )
    # Set when held or suspicious signatures crossed the threshold: the
    # challenge is on until then.
    proof_of_work_until = models.DateTimeField(
        _("proof of work switched on until"), null=True, blank=True,
    )
    # When an approved petition goes public (a press conference, say); until then it
    # exists for nobody but its organisers, the moderators and preview-link holders.
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    # The real opening: the approval, or the opening time if that came later.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    # Signing stopped for now (e.g. while a flood of fake signatures is looked into);
    # the page stays public and the petition is not closed.
    paused_at = models.DateTimeField(_("signing paused"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Written only by the counter (chorus.signatures.counting.services), never per signature.
    signature_count = models.PositiveIntegerField(_("signatures"), default=0, editable=False)
    counted_at = models.DateTimeField(_("last counted"), null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [models.Index(fields=["state", "-signature_count"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("signatures:petition", args=[self.slug])

    @property
    def awaits_opening(self) -> bool:
        """Its opening time is still to come (whatever its state)."""
        return self.opens_at is not None and self.opens_at > timezone.now()

    @property
    def is_scheduled(self) -> bool:
        """Approved, and waiting for its opening time: public nowhere yet."""
        return self.state == self.State.OPEN and self.awaits_opening

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def is_signable(self) -> bool:
        return (
            self.state == self.State.OPEN and not self.awaits_opening and not self.is_paused
            and (self.closes_at is None or self.closes_at > timezone.now())
        )

    @property
    def progress_percent(self) -> int:
        return min(100, self.signature_count * 100 // self.goal) if self.goal else 0

    def body_html(self):
        return render_markdown(self.body)

    @property
    def has_signatures(self) -> bool:
        return self.signature_count > 0 or self.signatures.exists()

    @property
    def is_public(self) -> bool:
        return self.state in (self.State.OPEN, self.State.CLOSED) and not self.awaits_opening

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("The closing date must come after the "
                                                  "opening time.")})

    @property
    def is_editable_by_organiser(self) -> bool:
        """Organisers write drafts; what went to review or was signed is fixed."""
        return self.state == self.State.DRAFT and not self.has_signatures

    def _move(self, allowed, state, message, **fields) -> None:
        if self.state not in allowed:
            raise ValidationError(message)
        self.state = state
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=["state", *fields, "updated_at"])

    # The lifecycle. Each transition refuses (and changes nothing) when the
    # petition is not in a state it may leave that way.

    def submit(self) -> None:
        """The organiser asks the moderators to review the draft."""
        self._move(
            [self.State.DRAFT], self.State.PENDING,
            _("Only a draft can be submitted for review."),
            submitted_at=timezone.now(),
        )

    def open(self) -> None:
        """Open for signing: a moderator approved it (or staff opened it directly).

        With an opening time still to come it is approved now and opens then, by
        the clock alone (see _opened); one that passed during review opens now.
        """
        now = timezone.now()
        if self.closes_at is not None and self.closes_at <= now:
            raise ValidationError(_("The closing date has passed; change it before opening."))
        opens_at = self.opens_at if self.awaits_opening else None
        if opens_at and self.closes_at is not None and self.closes_at <= opens_at:
            raise ValidationError(_("The closing date must come after the opening time."))
        self._move(
            [self.State.DRAFT, self.State.PENDING], self.State.OPEN,
            _("Only a draft or a petition awaiting review can be opened."),
            opens_at=opens_at, opened_at=opens_at or now, reviewed_at=now, moderation_note="",
        )

    @property
    def may_change_opening(self) -> bool:
        """Its opening time may be set or cleared: until it is public."""
        return self.state in (self.State.DRAFT, self.State.PENDING) or self.is_scheduled

    def schedule_opening(self, *, at: datetime.datetime | None) -> None:
        """Set (or, with None, clear) the opening time, before the petition opens.

        Cleared on an approved petition, it opens now. opened_at follows, so that it
        always says when the petition really became public.
        """
        now = timezone.now()
        if not self.may_change_opening:
            raise ValidationError(_("The opening time can only be changed before the "
                                    "petition opens."))
        if at is not None and at <= now:
            raise ValidationError(_("Choose an opening time in the future."))
        if at is not None and self.closes_at is not None and self.closes_at <= at:
            raise ValidationError(_("The closing date must come after the opening time."))
        self.opens_at = at
        fields = ["opens_at", "updated_at"]
        if self.state == self.State.OPEN:
            self.opened_at = at or now
            fields.append("opened_at")
        self.save(update_fields=fields)

    def pause(self) -> None:
        """Stop signing for now, without closing: the page, count and history stay public."""
        if self.state != self.State.OPEN or self.awaits_opening:
            raise ValidationError(_("Only an open petition can be paused."))
        if self.is_paused:
            raise ValidationError(_("Signing is already paused."))
        self.paused_at = timezone.now()
        self.save(update_fields=["paused_at", "updated_at"])

    def resume(self) -> None:
        if self.state != self.State.OPEN or not self.is_paused:
            raise ValidationError(_("Signing is not paused."))
        self.paused_at = None
        self.save(update_fields=["paused_at", "updated_at"])

    approve = open

    def reject(self, *, reason: "RejectionReason", note: str = "") -> None:
        """Rejected petitions are never public and cannot be opened again."""
        self._move(
            [self.State.PENDING], self.State.REJECTED,
            _("Only a petition awaiting review can be rejected."),
            rejection_reason=reason, moderation_note=note, reviewed_at=timezone.now(),
        )

    def send_back(self, *, note: str) -> None:
        """Back to the organiser as a draft, with the changes the moderators ask for."""
        if not note.strip():
            raise ValidationError(_("Say what needs to change."))
        self._move(
            [self.State.PENDING], self.State.DRAFT,
            _("Only a petition awaiting review can be sent back."),
            moderation_note=note, reviewed_at=timezone.now(),
        )

    def close(self, *, at: datetime.datetime | None = None) -> None:
        self._move(
            [self.State.OPEN], self.State.CLOSED,
            _("Only an open petition can be closed."),
            closed_at=at or timezone.now(), paused_at=None,
        )

    def take_down(self, *, by, reason: "RejectionReason", note: str,
                  publish_reason: bool = False) -> None:
        """The moderators withdraw a published petition from public view, keeping its
        signatures; restore() puts it back as it was."""
        if not note.strip():
            raise ValidationError(_("Say why the petition is being taken down."))
        self._move(
            [self.State.OPEN, self.State.CLOSED], self.State.TAKEN_DOWN,
            _("Only an open or closed petition can be taken down."),
            state_before_takedown=self.state, taken_down_at=timezone.now(), taken_down_by=by,
            takedown_reason=reason, takedown_note=note, takedown_reason_public=publish_reason,
        )

    def restore(self) -> None:
        """Back to the state it was taken down from, with the signatures it had."""
        # Closed if the earlier state was somehow lost: never open for signing by accident.
        previous = self.state_before_takedown or self.State.CLOSED
        self._move(
            [self.State.TAKEN_DOWN], previous,
            _("Only a petition that was taken down can be restored."),
            state_before_takedown="", taken_down_at=None, taken_down_by=None,
            takedown_reason=None, takedown_note="", takedown_reason_public=False,
        )

    @property
    def public_takedown_reason(self) -> str:
        """What the public may read about why it was taken down: the reason, if the
        moderators chose to show it; never their note."""
        if self.state != self.State.TAKEN_DOWN or not self.takedown_reason_public:
            return ""
        return self.takedown_reason.label if self.takedown_reason else ""

    def declare_victory(self) -> None:
        if not self.is_public:
            raise ValidationError(_("Only a published petition can declare victory."))
        if self.victory_at is not None:
            raise ValidationError(_("Victory has already been declared."))
        self.victory_at = timezone.now()
        self.save(update_fields=["victory_at", "updated_at"])

    @property
    def has_target_answers(self) -> bool:
        """Whether any of its targets (chorus/petitions/targets/) has answered: their
        answers then replace the single response the moderators may have recorded."""
        return self.targets.exclude(response_text="").filter(response_date__isnull=False).exists()

    def record_response(self, *, text: str, date: datetime.date) -> None:
        if not self.is_public:
            raise ValidationError(_("Only a published petition can have a response."))
        if not text.strip():
            raise ValidationError(_("Enter the response."))
        if date > timezone.now().date():
            raise ValidationError(_("The response cannot be dated in the future."))
        self.response_text, self.response_date = text, date
        self.save(update_fields=["response_text", "response_date", "updated_at"])


class RejectionReason(models.Model):
    """A reason moderators may give for rejecting a petition; staff edit the list."""

    code = models.SlugField(_("code"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("explanation for the organiser"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")

    def __str__(self) -> str:
        return self.label

    # The reasons shipped with Chorus are in the translation catalogue; ones
    # staff add are shown as written.
    @property
    def label(self) -> str:
        return gettext(self.title)

    @property
    def explanation(self) -> str:
        return gettext(self.description) if self.description else ""


class PetitionRevision(models.Model):
    """One change to a petition's text: kept for ever, shown on its history page."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("petition"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("changed by"),
    )
    by_staff = models.BooleanField(_("correction by staff"), default=False)
    note = models.CharField(_("reason for the change"), max_length=500, blank=True)
    # {field: [before, after]} for each field that changed.
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("petition revision")
        verbose_name_plural = _("petition revisions")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.created_at:%Y-%m-%d %H:%M}"


class Milestone(models.Model):
    """A threshold the count passed, and when the counter saw it pass."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("petition"),
    )
    threshold = models.PositiveIntegerField(_("signatures"))
    # Set for thresholds that are a share of the goal (25, 50, 100).
    percent_of_goal = models.PositiveSmallIntegerField(_("per cent of goal"), null=True, blank=True)
    reached_at = models.DateTimeField(_("reached"))

    class Meta:
        ordering = ["threshold"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "threshold"], name="one_milestone_per_threshold"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.threshold}"


class PetitionTranslation(models.Model):
    """The petition's text in another language. All versions share one count.

    A blank field falls back to the original's.
    """

    TRANSLATED_FIELDS = ("title", "target", "ask", "body", "statement", "image_alt",
                         "image_caption")

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="translations",
        verbose_name=_("petition"),
    )
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    target = models.CharField(_("target"), max_length=200, blank=True)
    ask = models.CharField(_("what we ask"), max_length=500)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    statement = models.TextField(_("statement"), blank=True)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("petition translation")
        verbose_name_plural = _("petition translations")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "language"], name="one_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} ({self.language})"


# The people a petition is addressed to, the day the signatures were handed in, and
# each one's answer (chorus/petitions/targets/). The free-text `target` above stays what
# people signed; these rows only say more about it, so a petition without them is complete.

# A date people type: a hand-in, an answer or a deadline further off than this is a typo.
FAR_FUTURE_DAYS = 2 * 366


class TargetStatus(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    AWAITING = "awaiting", _("Awaiting an answer")
    OVERDUE = "overdue", _("No answer by the date expected")


@dataclass(frozen=True)
class AnswerStatus:
    """Where one target's answer stands on a given day, as the public page says it."""

    status: str
    # The answer's date, when answered.
    date: datetime.date | None = None
    # Days since the hand-in, once the answer is overdue.
    days_since_handin: int | None = None


class Target(models.Model):
    """One decision-maker the petition is addressed to, and what they answered."""

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="targets", verbose_name=_("petition"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Published on the petition page: an office's address, never a private one.
    contact = models.CharField(_("public contact"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    response_text = models.TextField(_("their answer"), blank=True)
    response_date = models.DateField(_("date of the answer"), null=True, blank=True)
    # The organisers' one reminder that the answer is overdue: claimed by the periodic
    # step (claimed_until) and marked sent only once the mail server took every e-mail.
    reminder_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(_("organisers reminded"), null=True, blank=True,
                                       editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return self.name

    @property
    def is_answered(self) -> bool:
        return bool(self.response_text) and self.response_date is not None

    @property
    def contact_is_email(self) -> bool:
        return "@" in self.contact and "://" not in self.contact

    def answer_status(self, *, handin: "HandIn | None", today: datetime.date) -> AnswerStatus:
        if self.is_answered:
            return AnswerStatus(TargetStatus.ANSWERED, date=self.response_date)
        if handin is not None and handin.is_overdue(today):
            return AnswerStatus(TargetStatus.OVERDUE,
                                days_since_handin=(today - handin.handed_in_on).days)
        return AnswerStatus(TargetStatus.AWAITING)

    def record_response(self, *, text: str, date: datetime.date) -> None:
        if not self.petition.is_public:
            raise ValidationError(_("Only a published petition can have a response."))
        if not text.strip():
            raise ValidationError(_("Enter the response."))
        if date > timezone.now().date():
            raise ValidationError(_("The response cannot be dated in the future."))
        self.response_text, self.response_date = text, date
        self.save(update_fields=["response_text", "response_date"])


class HandIn(models.Model):
    """When, where and to whom the signatures were handed in: one per petition."""

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="handin", verbose_name=_("petition"),
    )
    handed_in_on = models.DateField(_("date of the hand-in"))
    place = models.CharField(_("place"), max_length=200)
    received_by = models.CharField(_("received by"), max_length=200)
    # For the organisers' own records (a registry number, say): never shown publicly.
    reference = models.CharField(_("reference number"), max_length=100, blank=True)
    image = HeroImageField(_("photo"), upload_to="handins/", blank=True,
                           width_field="image_width", height_field="image_height")
    # Kept so the page can give the photo its size without opening the file.
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(_("photo description"), max_length=300, blank=True)
    note = models.TextField(_("public note"), blank=True)
    answers_due = models.DateField(_("answers expected by"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("recorded by"),
    )
    # Set, in the same transaction, when the update telling the signers was published
    # (chorus.updates.services.handins_announce): each hand-in is announced once.
    announced_at = models.DateTimeField(_("signers told"), null=True, blank=True,
                                        editable=False)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("hand-in")
        verbose_name_plural = _("hand-ins")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.handed_in_on}"

    def is_overdue(self, today: datetime.date) -> bool:
        """Whether answers not given by now are late: the date expected has passed."""
        return self.answers_due is not None and today > self.answers_due


class PreviewLinkQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class PreviewLink(models.Model):
    """A private link to a petition before it opens, for a journalist or a partner.

    Only a keyed digest of its token is stored (chorus.petitions.previews.services):
    the token itself is shown once, to the organiser who made it.
    """

    petition = models.ForeignKey(
        Petition, on_delete=models.CASCADE, related_name="preview_links",
        verbose_name=_("petition"),
    )
    label = models.CharField(_("for whom"), max_length=100,
                             help_text=_("Who gets it, e.g. “Reuters”."))
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    first_used_at = models.DateTimeField(_("first used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")

    def __str__(self) -> str:
        return self.label

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


__all__ = ["AnswerStatus", "HandIn", "Milestone", "Partner", "PartnerConsent", "Petition",
           "PetitionQuerySet", "PetitionRevision", "PetitionTranslation", "PreviewLink",
           "RejectionReason", "Target", "TargetStatus"]
