"""Checks for short texts people type into forms."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

# Control, format, surrogate, private-use and unassigned characters, plus
# U+FFFD, which is what undecodable bytes (invalid UTF-8) become when a
# request is read (see chorus.lib.http.form_data).
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Zero-width non-joiner and joiner are format characters that Persian, Urdu
# and Indic names need; direction overrides and the like stay refused.
_ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})


def validate_plain_line(value: str) -> None:
    """Refuse characters that have no place in a name or a postcode.

    A newline in a name could also be used to inject e-mail headers.
    """
    for char in value:
        if char in _ALLOWED_FORMAT:
            continue
        if char == "\ufffd" or unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise ValidationError(
                _("Please use only letters, numbers, spaces and punctuation."),
                code="control_characters",
            )


def masked_email(address: str) -> str:
    """Enough of an address for its owner to recognise it, not for anyone to read it."""
    local, _, domain = address.rpartition("@")
    return f"{local[:2]}•••@{domain}" if local else ""


def search_terms(query: str, max_length: int = 100) -> str:
    """A search box's text, safe to hand to the database (no NUL or control characters)."""
    kept = "".join(
        char for char in query[:max_length]
        if char not in "\x00\ufffd" and unicodedata.category(char) not in _REFUSED_CATEGORIES
    )
    return kept.strip()


def is_mailable(address: str) -> bool:
    """Whether an e-mail header can hold the address's domain.

    Django's EmailField accepts any letter in a domain, but some (U+FFFD,
    private use, mixed directions) cannot be encoded for a header at all.
    """
    try:
        punycode(address.rpartition("@")[2])
    except UnicodeError:
        return False
    return True
