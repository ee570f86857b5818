import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from chorus.lib.text import validate_plain_line
from chorus.moderation.abuse.services import INVALIDATABLE_STATES, Conditions
from chorus.petitions.models import Petition
from chorus.signatures.models import Invalidation

DIGEST = re.compile(r"[0-9a-f]{64}")
# ISO 8601 to the second: what the hidden fields of the confirmation carry.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
MAX_EXPECTED = 1_000_000_000


def _country_choices():
    return [("", _("Any country")), *countries]


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=DATETIME_FORMAT, attrs={"step": "1"})


class BulkInvalidationForm(forms.Form):
    """The conditions of a bulk invalidation: one petition, narrowed by the rest."""

    petition = forms.CharField(
        label=_("Petition"), max_length=100, validators=[validate_plain_line],
        help_text=_("The petition's address, as in /petitions/stop-the-liquidation/."),
        error_messages={"required": _("Say which petition.")},
    )
    email_domain = forms.CharField(
        label=_("E-mail domain"), max_length=253, required=False,
        validators=[validate_plain_line], help_text=_("For example: example.org"),
    )
    ip_digest = forms.CharField(
        label=_("IP digest"), max_length=64, required=False, validators=[validate_plain_line],
        help_text=_("The full digest, as in the link from a trending flag."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=_country_choices, required=False)
    signed_from = forms.DateTimeField(
        label=_("Signed from"), required=False, widget=_DateTimeInput(),
    )
    signed_to = forms.DateTimeField(
        label=_("Signed until"), required=False, widget=_DateTimeInput(),
    )
    reason = forms.ChoiceField(
        label=_("Why they are fake"), required=False,
        choices=[("", "—"), *((value, label) for value, label in Invalidation.Reason.choices
                              if value != Invalidation.Reason.HELD)],
        help_text=_("Shown publicly in the petition's log, with the date and the number of "
                    "signatures; nothing else about them is."),
        error_messages={"required": _("Say why these signatures are fake.")},
    )
    states = forms.MultipleChoiceField(
        label=_("States"), widget=forms.CheckboxSelectMultiple,
        choices=[(state.value, state.label) for state in INVALIDATABLE_STATES],
        initial=[state.value for state in INVALIDATABLE_STATES],
        error_messages={"required": _("Choose at least one state.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_from"].help_text = _("Time zone: %(zone)s.") % {
            "zone": timezone.get_current_timezone_name()}

    def clean_petition(self) -> Petition:
        slug = self.cleaned_data["petition"].strip().strip("/").rpartition("/")[2]
        petition = Petition.objects.filter(slug=slug).first()
        if petition is None:
            raise ValidationError(_("No petition has this address."), code="unknown")
        return petition

    def clean_email_domain(self) -> str:
        domain = self.cleaned_data["email_domain"].strip().lstrip("@").lower()
        if any(char.isspace() or char == "@" for char in domain):
            raise ValidationError(_("Enter a domain only, such as example.org."),
                                  code="invalid")
        return domain

    def clean_ip_digest(self) -> str:
        digest = self.cleaned_data["ip_digest"].strip().lower()
        if digest and not DIGEST.fullmatch(digest):
            raise ValidationError(
                _("An IP digest is 64 characters, 0–9 and a–f: copy it from a trending flag."),
                code="invalid",
            )
        return digest

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end and start > end:
            self.add_error("signed_to", _("The end of the time window must be after its start."))
        narrowing = ("email_domain", "ip_digest", "country", "signed_from", "signed_to")
        all_states = set(cleaned.get("states") or []) == {s.value for s in INVALIDATABLE_STATES}
        if not self.errors and all_states and not any(cleaned.get(name) for name in narrowing):
            raise ValidationError(
                _("Choose at least one condition besides the petition, so that no petition "
                  "loses all its signatures by mistake."),
                code="too_broad",
            )
        return cleaned

    def conditions(self) -> Conditions:
        data = self.cleaned_data
        return Conditions(
            petition=data["petition"], email_domain=data["email_domain"],
            ip_digest=data["ip_digest"], country=data["country"],
            signed_from=data["signed_from"], signed_to=data["signed_to"],
            states=tuple(data["states"]),
        )


class BulkConfirmForm(BulkInvalidationForm):
    """The same conditions, with the number of matches the moderator saw."""

    expected = forms.IntegerField(min_value=0, max_value=MAX_EXPECTED,
                                  widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Asked for again beside the button: the preview may have left it blank.
        self.fields["reason"].required = True
