import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chorus.lib.text import validate_plain_line

BODY_MAX_LENGTH = 20_000
# Line breaks and tabs belong in Markdown; other control characters do not.
_TEXT_WHITESPACE = frozenset("\n\r\t")


def validate_text(value: str) -> None:
    for char in value:
        if char in _TEXT_WHITESPACE:
            continue
        if char in "\x00\ufffd" or unicodedata.category(char) in ("Cc", "Cs"):
            raise ValidationError(
                _("Please remove the control characters from the text."),
                code="control_characters",
            )


class UpdateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, validators=[validate_plain_line],
        error_messages={"required": _("Please give the update a title.")},
    )
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX_LENGTH, validators=[validate_text],
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown: **bold**, *italic*, [a link](https://example.org), lists."),
        error_messages={"required": _("Please write the update.")},
    )
    email = forms.BooleanField(required=False)

    def __init__(self, *args, recipients: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = ngettext(
            "Also e-mail this to the %(count)s signer who agreed to hear more",
            "Also e-mail this to the %(count)s signers who agreed to hear more",
            recipients,
        ) % {"count": recipients}
