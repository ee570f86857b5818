import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.images import HeroImageFormMixin
from chorus.lib.text import validate_plain_line
from chorus.petitions.manage.forms import validate_plain_text
from chorus.petitions.models import FAR_FUTURE_DAYS, HandIn, Target

NOTE_MAX_LENGTH = 1000
ANSWER_MAX_LENGTH = 10_000
DATE_ERRORS = {"invalid": _("Enter a date like 2030-12-31.")}


def _date_field(label, *, required=True, help_text=""):
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={**DATE_ERRORS, "required": _("Enter the date.")},
    )


def _not_in_the_future(day: datetime.date) -> datetime.date:
    if day > timezone.now().date():
        raise ValidationError(_("This date is in the future."), code="future")
    return day


def validate_public_contact(value: str) -> None:
    """An e-mail address or a web address (http or https), nothing else."""
    if "@" in value and "://" not in value:
        EmailValidator(message=_("Enter an e-mail address or a web address "
                                 "starting with https://."))(value)
        return
    URLValidator(schemes=["http", "https"], message=_(
        "Enter an e-mail address or a web address starting with https://."))(value)


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["name", "role", "organisation", "contact"]
        help_texts = {
            "name": _("The person or body the petition asks, e.g. “Minister of Justice”."),
            "role": _("Optional, e.g. “Minister”."),
            "contact": _("Optional, shown publicly: an office's e-mail address or web page. "
                         "Never a private address."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(validate_plain_line)
            field.widget.attrs["dir"] = "auto"
        self.fields["contact"].validators.append(validate_public_contact)

    def target_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class HandInForm(HeroImageFormMixin, forms.ModelForm):
    handed_in_on = _date_field(_("Date of the hand-in"))
    answers_due = _date_field(
        _("Answers expected by"), required=False,
        help_text=_("Optional. After this day, each target without an answer is shown as "
                    "not having answered, and you get one reminder."),
    )
    image = forms.FileField(
        label=_("Photo"), required=False, widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Optional. A JPEG, PNG or WebP picture. We remove the location and camera "
                    "details photos carry. Make sure nobody in it is put at risk."),
    )
    note = forms.CharField(
        label=_("Public note"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}), validators=[validate_plain_text],
        help_text=_("Optional: a few words for the signers, shown on the petition page."),
    )

    class Meta:
        model = HandIn
        fields = ["handed_in_on", "place", "received_by", "reference", "image", "image_alt",
                  "note", "answers_due"]
        help_texts = {
            "reference": _("Optional. For your records only: not shown publicly."),
            "image_alt": _("What the photo shows, for people who cannot see it. "
                           "Required with a photo."),
        }

    def __init__(self, *args, instance: HandIn | None = None, **kwargs):
        # Its own copy: the hand-in itself is changed only by the service.
        copy = HandIn.objects.get(pk=instance.pk) if instance is not None else HandIn()
        super().__init__(*args, instance=copy, **kwargs)
        for name in ("place", "received_by", "reference", "image_alt"):
            self.fields[name].validators.append(validate_plain_line)

    def clean_handed_in_on(self):
        return _not_in_the_future(self.cleaned_data["handed_in_on"])

    def clean(self):
        cleaned = super().clean()
        handed_in, due = cleaned.get("handed_in_on"), cleaned.get("answers_due")
        if handed_in and due:
            if due < handed_in:
                self.add_error("answers_due", ValidationError(
                    _("Answers cannot be expected before the hand-in."), code="before"))
            elif due > handed_in + datetime.timedelta(days=FAR_FUTURE_DAYS):
                self.add_error("answers_due", ValidationError(
                    _("Choose a date at most two years after the hand-in."), code="far"))
        return cleaned

    def handin_fields(self) -> dict:
        fields = {name: value for name, value in self.cleaned_data.items() if name != "image"}
        return {**fields, **self.image_change()}


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Their answer"), max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        validators=[validate_plain_text],
        error_messages={"required": _("Enter the response.")},
        help_text=_("As they wrote it, or a faithful summary. Shown on the petition page."),
    )
    date = _date_field(_("Date of the answer"))

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError(_("Enter the response."), code="required")
        return text

    def clean_date(self):
        return _not_in_the_future(self.cleaned_data["date"])
