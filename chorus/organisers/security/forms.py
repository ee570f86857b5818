import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app, as set-up asks for it."""

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


class SecondFactorForm(CodeForm):
    """The code page: a code from the app, or one of the recovery codes, in one field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = _("Six-digit code from your authenticator app, or a recovery code")
        field.error_messages["required"] = _(
            "Please enter the code your app shows, or one of your recovery codes.")
        # Recovery codes have letters: no number pad.
        field.widget.attrs.pop("inputmode")
        field.widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()
        # Recovery codes are eight characters of base32 (django-otp's static tokens).
        if not re.fullmatch(r"[0-9]{6,8}|[a-z2-7]{8}", code):
            raise ValidationError(
                _("A code is six digits, like 123456; a recovery code is eight letters and "
                  "digits, like abcd 2345."), code="format")
        return code
