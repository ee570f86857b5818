from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.signatures.transparency import receipts


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"), max_length=200,
        help_text=_("The code shown when you confirmed your signature, such as "
                    "ABCD-EFGH-…"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
    )

    def clean_receipt(self):
        text = self.cleaned_data["receipt"]
        if receipts.parsed(text) is None:
            raise forms.ValidationError(
                _("That is not a receipt: it has 32 letters and digits, in groups of four."),
                code="invalid")
        return text
