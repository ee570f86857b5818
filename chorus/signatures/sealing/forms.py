from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chorus.lib import sealing
from chorus.lib.text import validate_plain_line
from chorus.organisers.models import OrganisationKey


class OrganisationKeyForm(forms.Form):
    recipient = forms.CharField(
        label=_("Public key"), max_length=OrganisationKey._meta.get_field("recipient").max_length,
        help_text=_("The line starting with “age1” that age-keygen printed (or this page made)."),
        error_messages={"required": _("Paste the public key, the line starting with “age1”.")},
    )
    label = forms.CharField(
        label=_("Label"), required=False, validators=[validate_plain_line],
        max_length=OrganisationKey._meta.get_field("label").max_length,
        help_text=_("Optional: who holds the private key, e.g. “Board laptop, 2027”."),
    )

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean_recipient(self) -> str:
        text = self.cleaned_data["recipient"].strip()
        if text.startswith("AGE-SECRET-KEY-"):
            # Refused before anything is stored: a private key must never be here.
            raise ValidationError(_(
                "This is a private key. Never paste it anywhere: keep it offline, make a "
                "new pair (this one may be exposed) and paste the public key, “age1…”."),
                code="private")
        try:
            recipient = str(sealing.recipient(text))
        except sealing.InvalidRecipient:
            raise ValidationError(_("This is not an age public key: it starts with “age1” "
                                    "and is 62 characters long."), code="invalid") from None
        if self.organisation.keys.filter(recipient=recipient).exists():
            raise ValidationError(_("This key is already registered. Make a new key pair "
                                    "to replace it."), code="again")
        return recipient


class ResealForm(forms.Form):
    resealed = forms.FileField(
        label=_("The re-sealed file"),
        help_text=_("What tools/chorus-open reseal wrote on your computer."),
        error_messages={"required": _("Choose the file tools/chorus-open reseal wrote.")},
    )
