"""Keyed digests of personal data.

Signatures are de-duplicated by a keyed digest (HMAC-SHA256) of the normalised
e-mail address, and IPs are kept only as a keyed digest. An HMAC costs about a
microsecond, so it can run on every signature; without the key, a digest
cannot be reversed by trying every address or every IPv4 address.
"""

import hashlib
import hmac
from functools import cache

from django.conf import settings


@cache
def _key(purpose: str) -> bytes:
    # One derived key per purpose, so an IP digest never equals an e-mail digest.
    return hmac.new(
        settings.CHORUS_DIGEST_KEY.encode(), purpose.encode(), hashlib.sha256
    ).digest()


def keyed_digest(value: str, *, purpose: str) -> str:
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()


@cache
def _provider_rules() -> tuple[frozenset[str], frozenset[str], dict[str, str]]:
    return (
        frozenset(settings.CHORUS_DOTLESS_DOMAINS),
        frozenset(settings.CHORUS_SUBADDRESS_DOMAINS),
        dict(settings.CHORUS_DOMAIN_ALIASES),
    )


def normalise_email(address: str) -> str:
    """The form of an address that every spelling of one mailbox shares.

    Case and surrounding space never matter; dots and "+tag" only matter where
    the provider delivers them to the same mailbox (Gmail ignores both).
    """
    local, _, domain = address.strip().lower().rpartition("@")
    dotless, subaddressed, aliases = _provider_rules()
    domain = aliases.get(domain, domain)
    if domain in subaddressed:
        local = local.split("+", 1)[0]
    if domain in dotless:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_digest(address: str) -> str:
    return keyed_digest(normalise_email(address), purpose="email")


def ip_digest(ip: str) -> str:
    return keyed_digest(ip, purpose="ip") if ip else ""
