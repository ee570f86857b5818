import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils.translation import get_language, get_language_info

from chorus.lib.translations import translated
from chorus.petitions.models import Petition

_MISSING = "missing"


class PetitionTakenDown(Exception):  # noqa: N818 - says what happened, like Http404
    """The moderators took this petition down: its public addresses answer 410 Gone.

    Raised by public_petition_or_404; chorus.petitions.takedown turns it into
    the one neutral notice (a page, or JSON for the .json addresses and the API).
    """

    def __init__(self, petition: Petition):
        super().__init__(petition.slug)
        self.petition = petition


def _cached_petition(slug: str) -> Petition | None:
    """The petition behind a public address (visible or taken down), a few seconds old at most.

    During a rush every page view and every signature reads the same petition;
    one query per process every few seconds is enough. Unknown slugs are
    remembered too, so a flood of bad links does not reach the database.

    A petition waiting for its opening time is kept too, and answered as unknown
    until then: the clock is read at every request, so it opens on time on every
    node without waiting for this cache (or a remembered "unknown") to run out.
    """
    key = public_petition_key(slug)
    petition = cache.get(key)
    if petition is None:
        petition = (
            Petition.objects.approved()
            .select_related("organisation", "takedown_reason").filter(slug=slug).first()
        )
        cache.set(key, petition or _MISSING, settings.CHORUS_COUNT_CACHE_SECONDS)
    if petition is None or petition == _MISSING or petition.awaits_opening:
        return None
    return petition


def public_petition(slug: str) -> Petition | None:
    """A visible petition by slug (see _cached_petition); None if unknown or taken down."""
    petition = _cached_petition(slug)
    return petition if petition is not None and petition.is_public else None


# The signing hot path's own copies (signatures/hot_path.py): slug → (until, petition).
# Every signature reads its petition, and taking it from the cache unpickled a fresh
# copy each time: 60 µs, a tenth of the CPU of a whole signature (bench/README.md).
# Kept half a second, so a change made on another node still shows within
# CHORUS_COUNT_CACHE_SECONDS + 1 s; a change made here shows at once
# (public_petition_forget). Only petitions that exist are kept: a flood of made-up
# slugs leaves nothing here. The copy is shared by threads, which only read it.
_KEPT_SECONDS = 0.5
_kept: dict[str, tuple[float, Petition]] = {}
_clock = time.monotonic  # the tests' own clock instead


def forget_kept() -> None:
    """Drop every petition the hot path keeps (tests: each starts from an empty cache)."""
    _kept.clear()


def public_petition_kept(slug: str) -> Petition | None:
    """public_petition, the same object for up to half a second (for the hot path only)."""
    now = _clock()
    kept = _kept.get(slug)
    if kept is not None and kept[0] > now:
        return kept[1]
    petition = public_petition(slug)
    if petition is None:
        _kept.pop(slug, None)
    else:
        _kept[slug] = (now + _KEPT_SECONDS, petition)
    return petition


def public_petition_or_404(slug: str) -> Petition:
    """A visible petition; Http404 if there is none, PetitionTakenDown if it was taken down."""
    petition = _cached_petition(slug)
    if petition is None:
        raise Http404
    return refuse_if_taken_down(petition)


def refuse_if_taken_down(petition: Petition) -> Petition:
    """The petition itself, or PetitionTakenDown if the moderators took it down."""
    if petition.state == Petition.State.TAKEN_DOWN:
        raise PetitionTakenDown(petition)
    return petition


def public_petition_key(slug: str) -> str:
    return f"petition:{slug}"


def public_count_key(slug: str) -> str:
    return f"petition-count:{slug}"


def public_page_key(kind: str, petition: Petition, source: str = "") -> str:
    """The cache key of a whole public page of this petition (see lib.http.cached_page).

    It changes with the petition's updated_at, so every change shows at once.
    """
    return f"{kind}:{petition.pk}:{petition.updated_at.timestamp()}:{get_language()}:{source}"


def public_petition_forget(*slugs: str) -> None:
    """Drop the cached public copies of these petitions, so a change shows at once.

    Now, and again after the commit: a reader in between would otherwise put
    the old row straight back into the cache.
    """
    keys = [key for slug in slugs for key in (public_petition_key(slug), public_count_key(slug))]

    def forget():
        cache.delete_many(keys)
        for slug in slugs:
            _kept.pop(slug, None)

    forget()
    transaction.on_commit(forget)


def _language_names(codes) -> list[dict]:
    return [
        {"code": code, "name": get_language_info(code)["name_local"]}
        for code in codes if code in dict(settings.LANGUAGES)
    ]


def petition_in_reader_language(petition: Petition) -> tuple[Petition, dict]:
    """The petition as the reader sees it, and what to tell them about its languages.

    One query for all its translations, however many there are.
    """
    rows = list(petition.translations.all())
    shown = translated(petition, translations=rows)
    others = [petition.language, *(row.language for row in rows)]
    languages = {
        "original": get_language_info(petition.language)["name_translated"]
        if petition.language in dict(settings.LANGUAGES) else petition.language,
        "is_translation": getattr(shown, "is_translation", False),
        "others": _language_names(code for code in others if code != shown.language),
    }
    return shown, languages
