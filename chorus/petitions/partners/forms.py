from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.petitions.models import PartnerConsent


class ConsentModeForm(forms.Form):
    partner_consent = forms.ChoiceField(
        label=_("Show each partner's consent line"), choices=PartnerConsent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whom the partners' consent lines are shown to."),
                        "invalid_choice": _("Choose one of the two ways.")},
    )


class AcceptForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Accept for"), queryset=None, empty_label=None,
        error_messages={"required": _("Choose the organisation that becomes the partner."),
                        "invalid_choice": _("Choose one of the organisations you own.")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class PartnerRemoveForm(forms.Form):
    # Sent only by the button of the page that asks first.
    confirm = forms.BooleanField()
