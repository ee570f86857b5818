from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.lib.text import validate_plain_line
from chorus.petitions.models import PreviewLink
from chorus.petitions.previews.services import PREVIEW_DAYS_DEFAULT, PREVIEW_DAYS_MAX


class PreviewLinkForm(forms.Form):
    label = forms.CharField(
        label=_("For whom"), max_length=PreviewLink._meta.get_field("label").max_length,
        validators=[validate_plain_line],
        help_text=_("Who gets it, e.g. “Reuters”: it names the link in this list and in "
                    "the audit log."),
        error_messages={"required": _("Say who the link is for.")},
    )
    days = forms.IntegerField(
        label=_("Works for (days)"), min_value=1, max_value=PREVIEW_DAYS_MAX,
        initial=PREVIEW_DAYS_DEFAULT,
        help_text=_("At most 30 days. It stops working at the opening anyway: from then on "
                    "the petition is public."),
        error_messages={
            "required": _("Say for how many days the link works."),
            "invalid": _("Enter a whole number of days."),
            "min_value": _("A preview link lasts between 1 and 30 days."),
            "max_value": _("A preview link lasts between 1 and 30 days."),
        },
    )
