"""Checks for short texts people type into forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control, surrogate, private-use and unassigned characters, plus U+FFFD, which
# is what undecodable bytes (invalid UTF-8) become when a request is read.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def validate_plain_line(value: str) -> None:
    """Refuse characters that have no place in a name or a postcode.

    A newline in a name could also be used to inject e-mail headers.
    """
    for char in value:
        if char == "\ufffd" or unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValidationError(
                _("Please use only letters, numbers, spaces and punctuation."),
                code="control_characters",
            )
