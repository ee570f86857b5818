"""The public list of petitions, search, organisations' pages and what changed in a petition.

The petition page itself, where people sign, is in chorus.signatures.views;
its figures (count, history, countries) in chorus.signatures.counting.views.
"""

import difflib
import re

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from chorus.lib.http import public_page
from chorus.lib.text import search_terms
from chorus.lib.translations import translated
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition, PetitionRevision
from chorus.petitions.search import SEARCH_MAX_LENGTH, petitions_search
from chorus.petitions.selectors import public_petition_or_404


def in_reader_language(petitions) -> list[Petition]:
    """Each petition in the reader's language; the translations were prefetched."""
    return [translated(petition) for petition in petitions]


@public_page
def home(request):
    petitions = (
        Petition.objects.signable().most_signed().select_related("organisation")
        .prefetch_related("translations")[:12]
    )
    return render(request, "petitions/home.html", {"petitions": in_reader_language(petitions)})


@public_page
def petition_list(request):
    query = request.GET.get("q", "")
    state = request.GET.get("state", "")
    petitions = (
        Petition.objects.visible().most_signed().select_related("organisation")
        .prefetch_related("translations")
    )
    if state in (Petition.State.OPEN, Petition.State.CLOSED):
        petitions = petitions.filter(state=state)
    petitions = petitions_search(query=query, queryset=petitions)
    page = Paginator(petitions, 20).get_page(request.GET.get("page"))
    page.object_list = in_reader_language(page.object_list)
    context = {
        "page": page, "query": search_terms(query, SEARCH_MAX_LENGTH), "state": state,
        "states": Petition.State,
    }
    return render(request, "petitions/petition_list.html", context)


@public_page
def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    query = request.GET.get("q", "")
    petitions = petitions_search(
        query=query,
        queryset=organisation.petitions.visible().most_signed().prefetch_related("translations"),
    )
    context = {
        "organisation": organisation, "petitions": in_reader_language(petitions),
        "query": search_terms(query, SEARCH_MAX_LENGTH), "searched": bool(query.strip()),
    }
    return render(request, "petitions/organisation_detail.html", context)


@public_page
def changes(request, slug):
    """The public history of what people sign: every change made after the petition opened.

    Edits to the draft before it opened are left out: they are the organisers'
    business, and may hold what the moderators asked them to remove.
    """
    petition = public_petition_or_404(slug)
    revisions = (
        petition.revisions.filter(created_at__gte=petition.opened_at)
        if petition.opened_at else PetitionRevision.objects.none()
    )
    context = {
        "petition": petition,
        "revisions": [
            {"revision": revision, "fields": _revision_fields(revision)} for revision in revisions
        ],
    }
    return render(request, "petitions/changes.html", context)


def _revision_fields(revision) -> list[dict]:
    fields = []
    for name in Petition.SIGNED_FIELDS:
        if name in revision.changes:
            before, after = revision.changes[name]
            fields.append({
                "label": Petition._meta.get_field(name).verbose_name,
                "before": before, "after": after, "diff": _word_diff(before, after),
            })
    return fields


def _word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """(kind, text) pieces, kind being "same", "del" or "ins"; the template escapes the text."""
    # Splitting on whitespace but keeping it, so the pieces join back into the texts.
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("del", "".join(old[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(new[j1:j2])))
    return pieces
