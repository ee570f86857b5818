from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.markdown import render_markdown


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("petitions:organisation", args=[self.slug])


class PetitionQuerySet(models.QuerySet):
    def visible(self):
        """Petitions anyone may read: open now, or closed after being open."""
        return self.filter(state__in=[Petition.State.OPEN, Petition.State.CLOSED])

    def signable(self):
        now = timezone.now()
        return self.filter(state=Petition.State.OPEN).filter(
            Q(closes_at__isnull=True) | Q(closes_at__gt=now)
        )

    def most_signed(self):
        return self.order_by("-signature_count", "-opened_at")


class Petition(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

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
    image = models.ImageField(_("image"), upload_to="petitions/", blank=True)
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
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Written only by the counter (chorus.signatures.counting), never per signature.
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
        return reverse("petitions:detail", args=[self.slug])

    @property
    def is_signable(self) -> bool:
        return self.state == self.State.OPEN and (
            self.closes_at is None or self.closes_at > timezone.now()
        )

    @property
    def progress_percent(self) -> int:
        return min(100, self.signature_count * 100 // self.goal) if self.goal else 0

    def body_html(self):
        return render_markdown(self.body)

    def open(self) -> None:
        if self.state != self.State.DRAFT:
            raise ValidationError(_("Only a draft petition can be opened."))
        self.state = self.State.OPEN
        self.opened_at = timezone.now()
        self.save(update_fields=["state", "opened_at", "updated_at"])

    def close(self) -> None:
        if self.state != self.State.OPEN:
            raise ValidationError(_("Only an open petition can be closed."))
        self.state = self.State.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["state", "closed_at", "updated_at"])
