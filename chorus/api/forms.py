from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.api.models import ApiKey
from chorus.lib.text import validate_plain_line


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=ApiKey._meta.get_field("name").max_length,
        validators=[validate_plain_line],
        help_text=_("Who or what uses it, e.g. “Newsletter sign-up form”."),
        error_messages={"required": _("Give the key a name, so you know what it is for later.")},
    )
