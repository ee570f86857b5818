"""Whether a new signature is held for review: limits, disposable domains and blocks.

A signature over a limit is held, never refused, and its signer is answered
exactly as if it had been accepted: the people a limit catches honestly share
an address with many others (a carrier's NAT, a Tor exit, a VPN), and for
them a refusal would be both a lost signature and a signal.

The checks against the database run inside the signature's own INSERT (see
`held_reason_sql`), so screening adds no round trip to signing: only a few
bounded index range scans in the same statement.
"""

from datetime import timedelta
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.encoding import punycode

from chorus.lib.digests import normalise_email
from chorus.signatures.models import Block, Signature

IP_LIMIT = "ip-limit"
DOMAIN_LIMIT = "domain-limit"
BURST = "burst"
DISPOSABLE = "disposable"
BLOCKED = "blocked"

DISPOSABLE_DOMAINS_FILE = Path(__file__).parent / "data" / "disposable_domains.txt"


def email_domain(address: str) -> str:
    """The domain of an address as limits, blocks and trending see it.

    Normalised as the digest normalises it (lower case, provider aliases),
    then IDNA-encoded, so "BÜCHER.example" and "xn--bcher-kva.example" are
    one domain.
    """
    domain = normalise_email(address).rpartition("@")[2]
    try:
        return punycode(domain)
    except UnicodeError:
        return domain


def block_domain(domain: str) -> str:
    """A domain as a block stores it."""
    domain = domain.strip().strip(".").lower()
    try:
        return punycode(domain)
    except UnicodeError:
        return domain


def parse_domain_list(text: str) -> frozenset[str]:
    """Domains from a list with one per line; blank lines and # comments are skipped."""
    return frozenset(
        line.strip().lower() for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def disposable_domains() -> frozenset[str]:
    """The disposable-address domains, read once per process."""
    return parse_domain_list(DISPOSABLE_DOMAINS_FILE.read_text(encoding="utf-8"))


def is_disposable(domain: str) -> bool:
    """True for a listed domain or any subdomain of one (x.mailinator.com)."""
    listed = disposable_domains()
    labels = domain.split(".")
    return any(".".join(labels[i:]) in listed for i in range(len(labels) - 1))


@cache
def _exempt_domains() -> frozenset[str]:
    return frozenset(block_domain(d) for d in settings.CHORUS_LIMIT_DOMAIN_EXEMPT)


def sql_literal(value: str) -> str:
    """One of our own constants (a state, a kind, a reason) as an SQL string literal.

    Constants go into the statement itself rather than as parameters: psycopg
    reuses its parsing of a statement only while it has at most 50 parameters,
    and re-parsing this one on every signature cost more than the rest of
    building it (bench/inprocess.py). Never for input: only [a-z-].
    """
    if not value.replace("-", "").isalpha() or not value.islower():
        raise ValueError(f"not a constant of ours: {value!r}")
    return f"'{value}'"


@cache
def held_reason_sql() -> str:
    """A SELECT giving one column, `reason`: why the signature is held, or "".

    The first matching check names the reason. A limit compares the number
    of signatures already stored in the window (in any state: held ones
    count, so a flood stays held) with the limit, counting at most `limit`
    index entries; a limit of 0 is off and the database skips its subquery.
    """
    table = connection.ops.quote_name(Signature._meta.db_table)
    blocks = connection.ops.quote_name(Block._meta.db_table)
    q = sql_literal
    recent = (
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {{}} = %s AND {{}} "  # noqa: S608
        "AND created_at >= %s LIMIT %s) AS recent)"
    )
    states = ", ".join(q(state) for state in (
        Signature.State.PENDING, Signature.State.CONFIRMED, Signature.State.HELD,
    ))
    return (
        "SELECT CASE"  # noqa: S608 - our names and constants
        f" WHEN EXISTS (SELECT 1 FROM {blocks} WHERE (kind = {q(Block.Kind.IP)} AND value = %s)"
        f" OR (kind = {q(Block.Kind.DOMAIN)} AND value = %s)"
        f" OR (kind = {q(Block.Kind.ADDRESS)} AND value = %s)) THEN {q(BLOCKED)}"
        " WHEN %s <> '' THEN %s"
        f" WHEN %s > 0 AND {recent.format('petition_id + 0', 'ip_digest = %s')} >= %s"
        f" THEN {q(IP_LIMIT)}"
        f" WHEN %s > 0 AND {recent.format('petition_id + 0', 'email_domain = %s')} >= %s"
        f" THEN {q(DOMAIN_LIMIT)}"
        f" WHEN %s > 0 AND {recent.format('petition_id', f'state IN ({states})')} >= %s"
        f" THEN {q(BURST)}"
        " ELSE '' END AS reason"
    )


# The name and SQL type of each parameter of `held_reason_sql`, in the order of
# `held_reason_params`; a name shared with a column of the signature's INSERT is
# the same value (the PostgreSQL function takes it once: stored.py).
def _window(limit: str, column: str, start: str) -> tuple:
    return ((limit, "integer"), ("petition_id", "bigint"), *([(column, "text")] if column else []),
            (start, "timestamptz"), (limit, "integer"), (limit, "integer"))


HELD_REASON_PARAMS = (
    ("block_ip", "text"), ("block_domain", "text"), ("email_digest", "text"),
    ("reason", "text"), ("reason", "text"),
    *_window("ip_limit", "ip_digest", "window_start"),
    *_window("domain_limit", "email_domain", "window_start"),
    *_window("burst", "", "minute_ago"),
)


def held_reason_params(
    *, petition_id: int, ip_digest: str, domain: str, address_digest: str, reason: str,
    now,
) -> list:
    """The parameters of `held_reason_sql` for one signature."""
    if not reason and is_disposable(domain):
        reason = DISPOSABLE
    ip_limit = settings.CHORUS_LIMIT_IP_PER_PETITION if ip_digest else 0
    domain_limit = (
        settings.CHORUS_LIMIT_DOMAIN_PER_PETITION
        if domain and domain not in _exempt_domains() else 0
    )
    burst = settings.CHORUS_LIMIT_PETITION_BURST
    adapt = connection.ops.adapt_datetimefield_value
    window_start = adapt(now - timedelta(seconds=settings.CHORUS_LIMIT_WINDOW_SECONDS))
    minute_ago = adapt(now - timedelta(minutes=1))
    return [
        ip_digest or "-", domain or "-", address_digest,
        reason, reason,
        ip_limit, petition_id, ip_digest, window_start, ip_limit, ip_limit,
        domain_limit, petition_id, domain, window_start, domain_limit, domain_limit,
        burst, petition_id, minute_ago, burst, burst,
    ]
