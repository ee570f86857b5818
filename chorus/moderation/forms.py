from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.text import validate_plain_line
from chorus.petitions.manage.forms import validate_plain_text
from chorus.petitions.models import Petition, PetitionRevision, RejectionReason

NOTE_MAX_LENGTH = 2000
BODY_MAX_LENGTH = 100_000
RESPONSE_MAX_LENGTH = 20_000


def validate_text(value: str) -> None:
    """Several lines of plain text (or Markdown): no control characters, and no U+FFFD,
    which is what bytes that were not UTF-8 became (see chorus.lib.http.form_data)."""
    validate_plain_text(value)
    if "\ufffd" in value:
        raise ValidationError(
            _("Please use only letters, numbers, spaces and punctuation."),
            code="control_characters",
        )


def _one_newline(value: str) -> str:
    # Browsers send a textarea's lines ending in CRLF; stored text uses LF, and a
    # correction that changes nothing must not look like one.
    return value.replace("\r\n", "\n")


class NoteField(forms.CharField):
    def __init__(self, *, max_length: int = NOTE_MAX_LENGTH, **kwargs):
        super().__init__(
            max_length=max_length, validators=[validate_text],
            widget=forms.Textarea(attrs={"rows": 4}), **kwargs,
        )

    def to_python(self, value):
        return _one_newline(super().to_python(value))


class ReasonField(forms.ModelChoiceField):
    def label_from_instance(self, reason: RejectionReason) -> str:
        return reason.label


class RejectForm(forms.Form):
    reason = ReasonField(
        label=_("Reason"), queryset=RejectionReason.objects.filter(active=True),
        to_field_name="code", widget=forms.RadioSelect, empty_label=None,
        error_messages={
            "required": _("Choose the reason for rejecting the petition."),
            "invalid_choice": _("Choose one of the reasons listed."),
        },
    )
    note = NoteField(
        label=_("Note to the organisers"), required=False,
        help_text=_("Optional. Sent to the organisers with the reason."),
    )
    # Rejecting is final: a required tick box asks twice, without JavaScript.
    confirm = forms.BooleanField(
        label=_("I understand that a rejected petition can never be published or submitted "
                "again."),
        error_messages={"required": _("Tick the box to confirm the rejection.")},
    )


class TakeDownForm(forms.Form):
    reason = ReasonField(
        label=_("Reason"), queryset=RejectionReason.objects.filter(active=True),
        to_field_name="code", widget=forms.RadioSelect, empty_label=None,
        error_messages={
            "required": _("Choose the reason for taking the petition down."),
            "invalid_choice": _("Choose one of the reasons listed."),
        },
    )
    note = NoteField(
        label=_("Note to the organisers"),
        help_text=_("Sent to the organisers with the reason; never shown on the public page."),
        error_messages={"required": _("Say why the petition is being taken down.")},
    )
    publish_reason = forms.BooleanField(
        label=_("Show the reason on the public page"), required=False,
        help_text=_("Readers then see the reason (never the note). Leave it unticked when "
                    "even the reason could put someone at risk."),
    )


class SendBackForm(forms.Form):
    note = NoteField(
        label=_("What needs to change"),
        help_text=_("Sent to the organisers, who can change the petition and submit it again."),
        error_messages={"required": _("Say what needs to change.")},
    )


class CorrectionForm(forms.Form):
    """The text people sign, as staff correct it, and why."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_plain_line])
    target = forms.CharField(label=_("Target"), max_length=200,
                             validators=[validate_plain_line])
    ask = forms.CharField(label=_("What we ask"), max_length=500,
                          validators=[validate_plain_line],
                          widget=forms.Textarea(attrs={"rows": 2}))
    body = forms.CharField(label=_("Text"), required=False, max_length=BODY_MAX_LENGTH,
                           validators=[validate_text],
                           widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("Markdown."))
    note = NoteField(
        label=_("Reason for the correction"),
        max_length=PetitionRevision._meta.get_field("note").max_length,
        help_text=_("Shown with the change in the petition's public history."),
        error_messages={"required": _("Say why the text is being corrected.")},
    )

    @classmethod
    def for_petition(cls, petition: Petition, data=None) -> "CorrectionForm":
        return cls(data, initial={name: getattr(petition, name)
                                  for name in Petition.SIGNED_FIELDS})

    def clean_body(self) -> str:
        return _one_newline(self.cleaned_data["body"])

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in Petition.SIGNED_FIELDS}


class ResponseForm(forms.Form):
    text = NoteField(
        label=_("The target's response"), max_length=RESPONSE_MAX_LENGTH,
        error_messages={"required": _("Enter the response.")},
    )
    date = forms.DateField(
        label=_("Date of the response"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Enter the date of the response."),
                        "invalid": _("Enter a date like 2030-12-31.")},
    )

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.now().date():
            raise ValidationError(_("The response cannot be dated in the future."),
                                  code="future")
        return date


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    search = forms.CharField(
        label=_("Who or what"), required=False, max_length=100,
        validators=[validate_plain_line],
        help_text=_("Part of a person's name or of an object's name."),
    )

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("All actions"))] + [(a, a) for a in actions]
