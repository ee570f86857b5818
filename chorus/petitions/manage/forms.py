import datetime
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.images import HeroImageFormMixin
from chorus.lib.text import validate_plain_line
from chorus.organisers.permissions import organisations_for
from chorus.petitions.models import Petition
from chorus.petitions.services import RESERVED_SLUGS

# Far above any real campaign, and well inside every database's integer column.
GOAL_MAX = 100_000_000

LINE_FIELDS = (
    "title", "target", "ask", "image_alt", "image_caption", "image_credit",
    "statement_by", "statement_role",
)
TEXT_FIELDS = ("body", "statement")


def validate_plain_text(value: str) -> None:
    """Like validate_plain_line, but for text that runs over several lines (and Markdown)."""
    if any(unicodedata.category(c) == "Cc" and c not in "\r\n\t" for c in value):
        raise ValidationError(
            _("Please use only letters, numbers, spaces and punctuation."),
            code="control_characters",
        )


def closes_at_for(day: datetime.date | None) -> datetime.datetime | None:
    # The end of the day in UTC, so the petition can be signed all of that day everywhere
    # the date has begun.
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=datetime.UTC)


class PetitionForm(HeroImageFormMixin, forms.ModelForm):
    """The petition as its organisers write it.

    While the petition is a draft nobody has signed, every field; after that
    what people signed (Petition.SIGNED_FIELDS) is left out and only shown.
    """

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, to_field_name="slug",
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your organisations.")},
    )
    slug = forms.SlugField(
        label=_("Web address"), required=False, max_length=90,
        help_text=_("The last part of the petition's address, like free-the-press. "
                    "Leave it empty to make one from the title."),
    )
    image = forms.FileField(
        label=_("Image"), required=False, widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP picture. We remove the location and camera details "
                    "photos carry, and scale it down to fit the page."),
    )
    closes_on = forms.DateField(
        label=_("Closing date"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. The petition can be signed until the end of this day (UTC)."),
        error_messages={"invalid": _("Enter a date like 2030-12-31.")},
    )
    goal = forms.IntegerField(
        label=_("Goal"), min_value=1, max_value=GOAL_MAX,
        help_text=_("How many signatures you are aiming for."),
    )

    class Meta:
        model = Petition
        fields = [
            "organisation", "title", "slug", "target", "ask", "body",
            "statement", "statement_by", "statement_role",
            "image", "image_alt", "image_caption", "image_credit", "goal",
        ]
        widgets = {
            "ask": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "statement": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "body": _("Why this matters. Markdown: **bold**, *italic*, [a link](https://…), "
                      "lists with “- ”, a blank line between paragraphs."),
            "image_alt": _("What the picture shows, for people who cannot see it. "
                           "Required with an image."),
            "statement": _("Optional: a few words from someone who speaks for your campaign."),
        }

    def __init__(self, *args, user, petition: Petition | None = None, **kwargs):
        self.petition = petition
        instance = Petition() if petition is None else Petition.objects.get(pk=petition.pk)
        # The form works on its own copy: the petition itself is changed only by the
        # service, which compares it with what was submitted.
        super().__init__(*args, instance=instance, **kwargs)
        if petition is None:
            organisations = organisations_for(user, "editor")
            self.fields["organisation"].queryset = organisations
            if len(organisations) == 1:
                self.fields["organisation"].widget = forms.HiddenInput()
                self.initial["organisation"] = organisations[0].slug
        else:
            del self.fields["organisation"]
            self.initial["closes_on"] = petition.closes_at.date() if petition.closes_at else None
            if petition.is_editable_by_organiser:
                self.fields["slug"].required = True
                self.fields["slug"].help_text = _(
                    "The last part of the petition's address. Links to the old address "
                    "will stop working.")
            else:
                for name in ("slug", *Petition.SIGNED_FIELDS):
                    del self.fields[name]
        for name in LINE_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validate_plain_line)
        for name in TEXT_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validate_plain_text)

    # How the form is laid out: what people sign, whom it asks and how many, the picture,
    # and when it closes. A field left out of the form (a signed text) is skipped.
    GROUPS = (
        (_("The text"), ("organisation", "title", "slug", "ask", "body", "statement",
                         "statement_by", "statement_role")),
        (_("Target and goal"), ("target", "goal")),
        (_("Image"), ("image", "image_alt", "image_caption", "image_credit")),
        (_("Dates"), ("closes_on",)),
    )

    def groups(self) -> list[tuple[str, list]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.GROUPS
            if any(name in self.fields for name in names)
        ]

    @property
    def signed_text_locked(self) -> bool:
        return self.petition is not None and "title" not in self.fields

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved. Choose another."), code="reserved")
        if slug and Petition.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another petition already has this address. Choose another."), code="taken"
            )
        return slug


    def clean_closes_on(self) -> datetime.date | None:
        day = self.cleaned_data["closes_on"]
        unchanged = self.petition is not None and closes_at_for(day) == self.petition.closes_at
        # A date already passed may stay (a closed petition's), but not be newly chosen.
        if day is not None and not unchanged and closes_at_for(day) <= timezone.now():
            raise ValidationError(_("The closing date must be in the future."), code="past")
        return day



    def petition_fields(self) -> dict:
        """The submitted values, as the petition's own fields."""
        fields = {
            name: value for name, value in self.cleaned_data.items()
            if name not in ("organisation", "closes_on", "image")
        }
        fields["closes_at"] = closes_at_for(self.cleaned_data.get("closes_on"))
        return {**fields, **self.image_change()}

    def preview(self) -> Petition | None:
        """An unsaved petition with the submitted text, to show what it will look like."""
        # After validation the form's own copy holds every submitted value.
        return self.instance if self.is_valid() else None


# Far enough for any planned launch; a typo in the year is refused instead.
OPENING_MAX_DAYS = 366


class OpeningForm(forms.Form):
    """When an approved petition goes public, in UTC like every time on the organiser pages."""

    opens_at = forms.DateTimeField(
        label=_("Opens at (UTC)"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Until then the petition is public nowhere, even once approved; it "
                    "opens by itself at that minute."),
        error_messages={"invalid": _("Enter a date and time, like 2026-03-01 09:30.")},
    )

    def clean_opens_at(self):
        value = self.cleaned_data["opens_at"]
        if value is None:
            raise ValidationError(_("Enter the opening time, or clear it."), code="required")
        # The field read it in the site's time zone; the page asks for UTC.
        value = timezone.make_naive(value).replace(tzinfo=datetime.UTC)
        if value <= timezone.now():
            raise ValidationError(_("Choose an opening time in the future."))
        if value > timezone.now() + datetime.timedelta(days=OPENING_MAX_DAYS):
            raise ValidationError(_("Choose an opening time within a year."))
        return value
