"""Rescuing a mistyped e-mail domain before signing: "nadia@gmial.com" → "Did you mean gmail.com?".

A confirmation sent to a domain that does not exist is a lost signature. Only
an address whose domain is one or two edits from a big provider, and which
itself takes no mail (no MX record), gets the question; a small real domain
with a similar name has MX and goes through. The check looks at the domain
only, never at who has signed, so the question reveals nothing about anyone.
When DNS cannot answer (no resolver, a timeout), the signature goes through.
"""

import enum
from functools import lru_cache

import dns.exception
import dns.resolver
from django.conf import settings
from django.core.cache import cache

MX_CACHE_SECONDS = 24 * 3600
UNKNOWN_CACHE_SECONDS = 60


class Mail(enum.Enum):
    ACCEPTED = "accepted"  # the domain has an MX record
    REFUSED = "refused"  # no such domain, or no MX record
    UNKNOWN = "unknown"  # DNS did not answer


def edit_distance(a: str, b: str, *, limit: int = 2) -> int:
    """Edit distance where swapping two neighbours is one edit; anything over limit is limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (char_a != char_b))
            if (previous2 is not None and i > 1 and j > 1 and char_a == b[j - 2]
                    and a[i - 2] == char_b):
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def near_provider(domain: str) -> str | None:
    """The big provider this domain is one or two edits from, if any (and not itself one)."""
    providers = settings.CHORUS_TYPO_PROVIDERS
    if not domain or domain in providers:
        return None  # the common case during a rush: no work at all
    return _nearest(domain, frozenset(providers))


@lru_cache(maxsize=4096)
def _nearest(domain: str, providers: frozenset[str]) -> str | None:
    # Remembered per process: the same few domains come again and again.
    distance, nearest = min((edit_distance(domain, provider), provider)
                            for provider in providers)
    return nearest if distance <= 2 else None


def mail_status(domain: str) -> Mail:
    """Whether the domain takes mail, from its MX record; remembered for a day."""
    key = f"mx:{domain}"
    cached = cache.get(key)
    if cached is not None:
        return Mail(cached)
    try:
        resolver = dns.resolver.Resolver()  # reads /etc/resolv.conf, which may be missing
        resolver.lifetime = settings.CHORUS_MX_TIMEOUT
        resolver.resolve(domain, "MX")
        status = Mail.ACCEPTED
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        status = Mail.REFUSED
    except (dns.exception.DNSException, OSError):
        # Briefly remembered, so a resolver that is down does not slow every typo down.
        cache.set(key, Mail.UNKNOWN.value, UNKNOWN_CACHE_SECONDS)
        return Mail.UNKNOWN
    cache.set(key, status.value, MX_CACHE_SECONDS)
    return status


def suggested_address(email: str) -> str | None:
    """The address with the provider it was probably meant for, or None to sign as typed."""
    local, _at, domain = email.rpartition("@")
    provider = near_provider(domain.lower())
    if provider is None or mail_status(domain.lower()) is not Mail.REFUSED:
        return None
    return f"{local}@{provider}"
