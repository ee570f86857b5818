from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.lib.text import validate_plain_line
from chorus.petitions.models import Petition


class PurgeForm(forms.Form):
    confirm_slug = forms.CharField(
        label=_("Type the petition's address to confirm"), max_length=100,
        validators=[validate_plain_line],
        error_messages={"required": _("Type the petition's address to confirm.")},
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition

    def clean_confirm_slug(self) -> str:
        typed = self.cleaned_data["confirm_slug"]
        if typed != self.petition.slug:
            raise forms.ValidationError(
                _("Nothing was purged: that is not this petition's address (%(slug)s)."),
                params={"slug": self.petition.slug}, code="mismatch",
            )
        return typed
