import re

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from chorus.lib.forms import MailableEmailField, bot_trap_filled
from chorus.lib.text import validate_plain_line
from chorus.stories.models import Reply, Story

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
WEBSITE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000

# A link in a name is how spam advertises; formula prefixes (= + - @) make a
# name dangerous once a moderator's spreadsheet opens an export.
_LINK_IN_NAME = re.compile(r"://|\bwww\.", re.IGNORECASE)
_FORMULA_PREFIXES = ("=", "+", "-", "@")


def validate_reply_name(value: str) -> None:
    validate_plain_line(value)
    if value.startswith(_FORMULA_PREFIXES):
        raise forms.ValidationError(
            _("Your name cannot begin with =, +, - or @."), code="formula",
        )
    if _LINK_IN_NAME.search(value):
        raise forms.ValidationError(
            _("Please enter your name without a web address; there is a field for your website."),
            code="link",
        )


def validate_reply_text(value: str) -> None:
    # Line breaks and tabs belong in a reply; other control characters do not.
    validate_plain_line(value.replace("\n", "").replace("\t", ""))


class ReplyTextField(forms.CharField):
    """Multi-line text whose line breaks count as one character, as the browser counts them."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class ReplyForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX_LENGTH, validators=[validate_reply_name],
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = MailableEmailField(
        label=_("Your e-mail address"), max_length=EMAIL_MAX_LENGTH,
        help_text=_("Your e-mail address will never be published."),
        error_messages={
            "required": _("Please enter your e-mail address."),
            "invalid": _("Please enter a valid e-mail address, like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.URLField(
        label=_("Your website"), max_length=WEBSITE_MAX_LENGTH, required=False,
        assume_scheme="https",
        validators=[validate_plain_line, URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": _("Please enter a web address beginning with https://.")},
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = ReplyTextField(
        label=_("Your reply"), max_length=BODY_MAX_LENGTH, validators=[validate_reply_text],
        help_text=_("Plain text; links and formatting are shown as typed."),
        error_messages={"required": _("Please write your reply.")},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Which reply this answers; blank for a reply to the story itself.
    parent = forms.CharField(required=False, widget=forms.HiddenInput)

    error_css_class = "invalid"

    def __init__(self, *args, story: Story, **kwargs):
        super().__init__(*args, **kwargs)
        self.story = story

    def is_bot(self) -> bool:
        return bot_trap_filled(self.data)


    def clean_parent(self) -> Reply | None:
        value = self.cleaned_data["parent"]
        if not value:
            return None
        parent = None
        if value.isascii() and value.isdigit() and len(value) < 19:
            parent = (
                Reply.objects.filter(story_id=self.story.pk, state=Reply.State.APPROVED)
                .only("pk", "parent_id", "story_id").filter(pk=int(value)).first()
            )
        if parent is None:
            raise forms.ValidationError(
                _("The reply you are answering is no longer shown."), code="parent_missing"
            )
        if parent.parent_id is not None:
            raise forms.ValidationError(
                _("An answer cannot be answered; please answer the reply above it instead."),
                code="parent_is_answer",
            )
        return parent
