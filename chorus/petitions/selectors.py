from django.conf import settings
from django.core.cache import cache
from django.http import Http404

from chorus.petitions.models import Petition

_MISSING = "missing"


def public_petition(slug: str) -> Petition | None:
    """A visible petition by slug, from a cache a few seconds old at most.

    During a rush every page view and every signature reads the same petition;
    one query per process every few seconds is enough. Unknown slugs are
    remembered too, so a flood of bad links does not reach the database.
    """
    key = f"petition:{slug}"
    petition = cache.get(key)
    if petition is None:
        petition = (
            Petition.objects.visible().select_related("organisation").filter(slug=slug).first()
        )
        cache.set(key, petition or _MISSING, settings.CHORUS_COUNT_CACHE_SECONDS)
    return None if petition == _MISSING else petition


def public_petition_or_404(slug: str) -> Petition:
    petition = public_petition(slug)
    if petition is None:
        raise Http404
    return petition
