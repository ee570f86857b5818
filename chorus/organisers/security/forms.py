import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"), max_length=16,
        error_messages={"required": _("Please enter the code your app shows.")},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
        }),
    )

    def clean_code(self) -> str:
        # Apps show the code as "123 456"; people copy it with the space.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6,8}", code):
            raise ValidationError(_("A code is six digits, like 123456."), code="format")
        return code
