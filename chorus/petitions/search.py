"""Searching petitions: the one search behind the list, the organisation pages and the API.

A petition matches when every word of the query is in its title, ask, target
or text, in the original or in a translation, in any order.

On PostgreSQL this is full-text search: each petition and each translation is
indexed in its own language (see migration 0008_search), so word forms match
("петиции" finds "петиция", "lawsuits" finds "lawsuit"), accents are ignored,
stop words ("the", "и") are left out, and the best matches come first. The
query is read in every language's configuration at once, so a reader finds a
Russian petition whatever language their pages are in. A petition matches
when one of its versions, the original or one translation, holds every word.

On SQLite every word must appear somewhere in the fields or translations, as
written but in any case; the most signed come first.
"""

import operator
import re
import unicodedata
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections
from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from chorus.lib.text import search_terms
from chorus.petitions.models import Petition, PetitionTranslation

# What the search box allows; anything longer is not a search anyone typed.
SEARCH_MAX_LENGTH = 100
# Words after these are left out, which keeps the SQL small.
SEARCH_MAX_WORDS = 10
# One per language of the petitions, in step with migration 0008_search.
SEARCH_CONFIGURATIONS = (
    "chorus_english", "chorus_russian", "chorus_spanish", "chorus_arabic", "chorus_simple",
)
SEARCHED_FIELDS = ("title", "target", "ask", "body")


def petitions_search(
    *, query: str, queryset: QuerySet[Petition] | None = None,
) -> QuerySet[Petition]:
    """The petitions of `queryset` (every visible one by default) matching `query`, best first.

    A blank query is no search: `queryset` comes back unchanged. A query with
    nothing to search for (only punctuation or control characters, or longer
    than the search box allows) finds nothing.
    """
    if queryset is None:
        queryset = Petition.objects.visible()
    if not query.strip():
        return queryset
    words = search_words(query)
    if not words:
        return queryset.none()
    if connections[queryset.db].vendor == "postgresql":
        return _full_text(queryset, words)
    return _every_word(queryset, words)


def search_words(query: str) -> list[str]:
    """The words of a query, without the punctuation around them and without control characters."""
    if len(query) > SEARCH_MAX_LENGTH:
        return []
    words = (_strip_punctuation(chunk) for chunk in search_terms(query, SEARCH_MAX_LENGTH).split())
    return [word for word in words if any(char.isalnum() for char in word)][:SEARCH_MAX_WORDS]


def _strip_punctuation(chunk: str) -> str:
    start, end = 0, len(chunk)
    while start < end and unicodedata.category(chunk[start])[0] in "PS":
        start += 1
    while end > start and unicodedata.category(chunk[end - 1])[0] in "PS":
        end -= 1
    return chunk[start:end]


def _document() -> Func:
    # Exactly the expression the GIN indexes of migration 0008_search are on,
    # for either table: both have these columns.
    return Func(
        F("language"), *(F(field) for field in SEARCHED_FIELDS),
        function="chorus_search_document", output_field=SearchVectorField(),
    )


def _full_text(queryset: QuerySet[Petition], words: list[str]) -> QuerySet[Petition]:
    text = " ".join(words)
    # A word that is a stop word in one language yields nothing there, and
    # the others still decide; a query of stop words only matches nothing.
    query = reduce(operator.or_, (
        SearchQuery(text, config=configuration, search_type="plain")
        for configuration in SEARCH_CONFIGURATIONS
    ))
    # Two subqueries, one per table, so that each can use its index.
    originals = Petition.objects.alias(document=_document()).filter(document=query)
    translations = PetitionTranslation.objects.alias(document=_document()).filter(document=query)
    best_translation = (
        PetitionTranslation.objects.filter(petition=OuterRef("pk"))
        .annotate(rank=SearchRank(_document(), query)).order_by("-rank").values("rank")[:1]
    )
    return (
        queryset
        .filter(Q(pk__in=originals.values("pk")) | Q(pk__in=translations.values("petition_id")))
        .alias(rank=Greatest(
            SearchRank(_document(), query), Coalesce(Subquery(best_translation), Value(0.0)),
        ))
        .order_by("-rank", "-signature_count", "-opened_at")
    )


def _every_word(queryset: QuerySet[Petition], words: list[str]) -> QuerySet[Petition]:
    for word in words:
        # A regular expression rather than icontains: SQLite's LIKE folds the
        # case of ASCII letters only, Python's re (which Django gives SQLite)
        # that of every alphabet.
        pattern = re.escape(word)
        in_fields = reduce(operator.or_, (
            Q(**{f"{field}__iregex": pattern}) for field in SEARCHED_FIELDS
        ))
        in_translations = PetitionTranslation.objects.filter(in_fields).values("petition_id")
        queryset = queryset.filter(in_fields | Q(pk__in=in_translations))
    return queryset.most_signed()
