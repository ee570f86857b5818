"""The e-mails a signer is sent: the link to confirm, a reminder of it, "already signed", a receipt.

Each is written from its templates (`<template>_subject.txt`, `.txt`, `.html`)
in the language the signer signed in. A rush sends thousands of nearly the
same e-mail, so `Letters` writes them a batch at a time: each template is
rendered once per kind of letter — the same template, language, petition,
host, and whether the signer gave a name — with a marker in place of each
signer's own values (their name, their links), and each e-mail is that text
with the signer's values put in place of the markers, HTML-escaped where the
template escaped the marker. The result is the e-mail the templates would
have rendered for that signer (tests compare them), written into MIME by
`PreparedEmail` at a fraction of the cost.

The templates see of a signature only its `name` and `language`.
"""

import re
import secrets
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from chorus.lib.hosts import origin_for
from chorus.lib.mail import PreparedEmail, letterhead
from chorus.lib.translations import translated
from chorus.signatures import tokens

# Secret to this process, so no petition title can contain a marker. The "&"
# shows whether the template escaped the value there ("&amp;") or not.
_MARK = secrets.token_hex(8)
_SLOT = re.compile(f"\ue000(&|&amp;){_MARK}:(\\w+)\ue001")


def _marker(field: str) -> str:
    return f"\ue000&{_MARK}:{field}\ue001"


class _Text:
    """One rendered template, cut at its markers: what each signer's values go into."""

    def __init__(self, rendered: str):
        pieces = _SLOT.split(rendered)
        # [text, "&" or "&amp;", field, text, …, text]
        if any(_MARK in piece for piece in pieces[::3]):
            raise ImproperlyConfigured(
                "An e-mail template transforms a signer's own value (a filter on it?): "
                "the batch writer cannot put each signer's value in its place."
            )
        self.pieces = pieces

    def fill(self, values: dict[str, str], escaped: dict[str, str]) -> str:
        pieces = self.pieces
        out = [pieces[0]]
        for i in range(1, len(pieces), 3):
            out.append((escaped if pieces[i] == "&amp;" else values)[pieces[i + 1]])
            out.append(pieces[i + 2])
        return "".join(out)


@dataclass
class _Kind:
    subject: _Text
    text: _Text
    html: _Text
    from_email: str | None


class Letters:
    """Writes the e-mails of one batch; keep one per batch (it remembers each kind's text).

    The petition is read from each signature (select_related("petition")),
    as it was when the batch was read.
    """

    def __init__(self):
        self._kinds: dict[tuple, _Kind] = {}
        self._links: dict[tuple[str, str], list[str]] = {}

    def _link(self, origin: str, url_name: str, token: str) -> str:
        """origin + reverse(url_name, args=[token]), with reverse() run once per batch.

        The token is the path's only variable part, and a signing token
        (digits, ":", URL-safe base64) is written into a path as it is.
        """
        around = self._links.get((origin, url_name))
        if around is None:
            url = origin + reverse(url_name, args=[_MARK])
            around = self._links[(origin, url_name)] = url.split(_MARK)
        return around[0] + token + around[1]

    def confirmation(self, signature, *, reminder: bool = False) -> PreparedEmail:
        """The e-mail with the link that confirms a signature, or a reminder of it.

        A reminder carries a fresh link with the same meaning: it opens a page
        with a button, and only the button confirms.
        """
        template = "signatures/email/reminder" if reminder else "signatures/email/confirm"
        confirm_url = self._link(origin_for(signature.site_host), "signatures:confirm",
                                 tokens.confirmation_token(signature.pk))
        return self.write(signature, template, confirm_url=confirm_url)

    def already_signed(self, signature) -> PreparedEmail:
        """Told to a signer who confirmed and signed again: nothing to do, here is your link."""
        return self.write(signature, "signatures/email/already_signed")

    def write(self, signature, template: str, **personal: str) -> PreparedEmail:
        """An e-mail to a signer from `template`, in their language; `personal`: their own values.

        For a petition with discreet e-mail the `<template>_discreet` files are
        used, and the sender is CHORUS_DISCREET_FROM_EMAIL: neither the sender,
        the subject nor the text names the cause, so a glance at the inbox
        reveals nothing.
        """
        origin = origin_for(signature.site_host)
        key = (template, signature.language, signature.petition_id, origin,
               bool(signature.name), tuple(sorted(personal)))
        kind = self._kinds.get(key)
        if kind is None:
            kind = self._kinds[key] = self._kind(signature, template, origin, list(personal))
        values = {
            **personal,
            "name": signature.name,
            "manage_url": self._link(origin, "signatures:manage",
                                     tokens.manage_token(signature.pk)),
        }
        escaped = {field: escape(value) for field, value in values.items()}
        subject = " ".join(kind.subject.fill(values, escaped).split())
        return PreparedEmail(
            letterhead=letterhead(subject=subject, from_email=kind.from_email),
            body=kind.text.fill(values, escaped),
            html=kind.html.fill(values, escaped),
            to=signature.email,
        )

    def _kind(self, signature, template: str, origin: str, personal: list[str]) -> _Kind:
        language = signature.language or settings.LANGUAGE_CODE
        # The petition as the signer read it: in the language they signed in.
        petition = translated(signature.petition, language)
        discreet = petition.discreet_email
        if discreet:
            template = f"{template}_discreet"
        context = {
            "signature": SimpleNamespace(
                name=_marker("name") if signature.name else "", language=signature.language,
            ),
            "petition": petition,
            "manage_url": _marker("manage_url"),
            "petition_url": origin + petition.get_absolute_url(),
            "SITE_NAME": settings.SITE_NAME,
            **{field: _marker(field) for field in personal},
        }
        with translation.override(language):
            return _Kind(
                subject=_Text(render_to_string(f"{template}_subject.txt", context)),
                text=_Text(render_to_string(f"{template}.txt", context)),
                html=_Text(render_to_string(f"{template}.html", context)),
                from_email=settings.CHORUS_DISCREET_FROM_EMAIL if discreet else None,
            )
