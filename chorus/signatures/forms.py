import re
from functools import cache

from django import forms
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from chorus.lib.forms import MailableEmailField, SharedFieldsForm
from chorus.lib.text import validate_plain_line
from chorus.signatures.models import (
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    POSTCODE_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
)

_SOURCE_PATTERN = re.compile(rf"[-a-zA-Z0-9_]{{1,{SOURCE_MAX_LENGTH}}}")
COUNTRY_CODES = frozenset(code for code, _name in countries)


# A web address in a name: a scheme, "www.", or a token like "cheap-pills.example".
# The last label must be lower case, so "Mr.Smith" and "O.Neil" stay names.
_URL_IN_NAME = re.compile(
    r"(?i:[a-z][a-z0-9+.-]*+://|www\.)|\b[\w-]++(?:\.[\w-]++)*?\.[a-z]{2,63}\b"
)
# Characters a spreadsheet reads as the start of a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@")


def validate_signer_name(value: str) -> None:
    """Refuse names that carry a link or a spreadsheet formula rather than a name.

    People's names may contain dots ("J. R. Smith", "St. John"), so only a dot
    followed by two letters or more with no space between counts as a domain.
    """
    if len(value) > NAME_MAX_LENGTH:
        return  # refused for its length; and a search through megabytes costs time
    if _URL_IN_NAME.search(value):
        raise forms.ValidationError(
            _("Please enter your name without a web address."), code="url_in_name"
        )
    if value.lstrip().startswith(_FORMULA_STARTS):
        raise forms.ValidationError(
            _("Please start your name with a letter, not with = + - or @."),
            code="formula_prefix",
        )


def is_valid_source(code: str) -> bool:
    """A campaign code: letters, digits, - and _, at most 64."""
    return bool(_SOURCE_PATTERN.fullmatch(code))


@cache
def _country_options(language: str) -> str:
    return format_html_join(
        "", '<option value="{}">{}</option>', ((c.code, c.name) for c in countries)
    )


def country_options(selected: str = "") -> str:
    """The <option>s of the country list, built once per language.

    Rendering 249 options through the widget templates would cost more than
    the rest of the petition page together.
    """
    options = _country_options(get_language() or "en")
    if selected in COUNTRY_CODES:
        # str.replace drops the "safe" mark; the code is one of ours, so the markup still is.
        options = mark_safe(  # noqa: S308
            options.replace(f'value="{selected}"', f'value="{selected}" selected', 1)
        )
    return options


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code checked against a set.

    A ChoiceField deep-copies its 249 choices for every form instance, which
    is most of the CPU time of a signature; the template renders the list.
    """

    default_error_messages = {"invalid_choice": _("Please choose your country from the list.")}

    def to_python(self, value):
        value = super().to_python(value)
        # Only ASCII: "ß".upper() is "SS", which is a country code.
        return value.upper() if value.isascii() else value

    def validate(self, value):
        super().validate(value)
        if value and value not in COUNTRY_CODES:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )


class PartnerCodesField(forms.Field):
    """Every value posted under the name (a box per partner), malformed ones dropped.

    Not a MultipleChoiceField: the choices are the petition's, and the form is
    built without it on the hot path.
    """

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not isinstance(value, list | tuple):
            value = [value] if value else []
        # A NUL byte or anything else that is not a code is ignored, as in `source`.
        return [code for code in value[:100] if isinstance(code, str) and is_valid_source(code)]


class SignatureForm(SharedFieldsForm):
    name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX_LENGTH,
        validators=[validate_plain_line, validate_signer_name],
        error_messages={"required": _("Please enter your name.")},
    )
    email = MailableEmailField(
        label=_("Your e-mail address"), max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "required": _("Please enter your e-mail address."),
            "invalid": _("Please enter a valid e-mail address, like name@example.org."),
        },
    )
    country = CountryCodeField(
        label=_("Country"), max_length=2,
        error_messages={"required": _("Please choose your country.")},
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=POSTCODE_MAX_LENGTH, required=False,
        validators=[validate_plain_line],
    )
    updates = forms.BooleanField(label=_("Send me updates about this campaign"), required=False)
    show_name = forms.BooleanField(
        label=_("Put my name in the list of signers handed to the target"), required=False
    )
    # A plain Field: CharField would refuse a NUL byte before clean_source.
    source = forms.Field(required=False)
    # The partners' consent boxes (petitions/partners): each ticked one posts its
    # partner's source code. Which codes count is the petition's to say
    # (partners.selectors.partner_choices); here only malformed ones go.
    partner_updates = PartnerCodesField(required=False)

    def clean_source(self):
        # A malformed campaign code is not the signer's fault: drop it, don't refuse.
        source = self.cleaned_data["source"] or ""
        return source if is_valid_source(source) else ""
