from django import forms
from django.utils.translation import gettext_lazy as _

from chorus.stories.models import Reply

DECISIONS = [
    (Reply.State.APPROVED, _("Approve")),
    (Reply.State.REJECTED, _("Reject")),
    (Reply.State.SPAM, _("Spam")),
]


class ReplyDecisionForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Decision"), choices=DECISIONS,
        error_messages={"required": _("Please choose approve, reject or spam.")},
    )


class ReplyBulkForm(ReplyDecisionForm):
    replies = forms.ModelMultipleChoiceField(
        label=_("Replies"), queryset=Reply.objects.all(),
        error_messages={"required": _("Please tick at least one reply.")},
    )
