"""What the sign form needs to know about a petition's partners, read once per change."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from chorus.petitions.models import Partner, PartnerConsent, Petition

# How many opt-ins one signature may carry: a petition with more partners than
# this is not a coalition but a mailing list.
MAX_OPT_INS = 50


@dataclass(frozen=True)
class SigningPartner:
    id: int
    source: str
    name: str


def signing_partners(petition: Petition) -> tuple[SigningPartner, ...]:
    """The petition's partners, by name.

    Cached under the petition's updated_at, which every change of its partners
    moves (services.partner_accept and partner_remove touch the petition), so
    the sign form reads them from the cache, not the database.
    """
    key = f"signing-partners:{petition.pk}:{petition.updated_at.timestamp()}"
    partners = cache.get(key)
    if partners is None:
        partners = tuple(
            SigningPartner(pk, source, name)
            for pk, source, name in Partner.objects.active().filter(petition_id=petition.pk)
            .order_by("organisation__name", "pk")
            .values_list("pk", "source", "organisation__name")
        )
        cache.set(key, partners, settings.CHORUS_COUNT_CACHE_SECONDS)
    return partners


def consent_lines(petition: Petition, source: str) -> list[SigningPartner]:
    """The partners whose "I'd like to hear from …" line the sign form offers.

    With PartnerConsent.THROUGH only the partner whose link the signer came
    through (if any); with EVERY each partner, as separate boxes.
    """
    partners = signing_partners(petition)
    if petition.partner_consent == PartnerConsent.EVERY:
        return list(partners)
    return [partner for partner in partners if partner.source == source]


def partner_choices(petition: Petition, *, source: str,
                    requested: list[str]) -> tuple[int | None, tuple[int, ...]]:
    """(the partner the signer came through, the partners they opted in to) for a signature.

    Anything the form did not offer (a forged source, a box for a partner not
    on the petition or not shown to this signer) is dropped, not refused: the
    signature itself is still good. Costs nothing when the link carried no
    source and no box was ticked: the common case, on the hot path.
    """
    if not source and not requested:
        return None, ()
    through = next((p.id for p in signing_partners(petition) if p.source == source), None)
    offered = {p.source: p.id for p in consent_lines(petition, source)}
    opt_ins = sorted({offered[code] for code in requested[:MAX_OPT_INS] if code in offered})
    return through, tuple(opt_ins)
