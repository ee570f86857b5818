from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404

from chorus.petitions.models import Petition

_MISSING = "missing"


def public_petition(slug: str) -> Petition | None:
    """A visible petition by slug, from a cache a few seconds old at most.

    During a rush every page view and every signature reads the same petition;
    one query per process every few seconds is enough. Unknown slugs are
    remembered too, so a flood of bad links does not reach the database.
    """
    key = public_petition_key(slug)
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


def public_petition_key(slug: str) -> str:
    return f"petition:{slug}"


def public_count_key(slug: str) -> str:
    return f"petition-count:{slug}"


def public_petition_forget(*slugs: str) -> None:
    """Drop the cached public copies of these petitions, so a change shows at once.

    Now, and again after the commit: a reader in between would otherwise put
    the old row straight back into the cache.
    """
    keys = [key for slug in slugs for key in (public_petition_key(slug), public_count_key(slug))]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
