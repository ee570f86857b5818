import difflib
import hashlib
import json
import re

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from chorus.lib.charts import bar_chart, line_chart
from chorus.lib.text import search_terms
from chorus.lib.translations import translated
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition, PetitionRevision
from chorus.petitions.selectors import public_count_key, public_petition_or_404
from chorus.signatures.forms import SignatureForm, country_options, is_valid_source
from chorus.signatures.selectors import count_history, country_totals

SEARCH_MAX_LENGTH = 100
COUNTRIES_ON_PAGE = 10


def in_reader_language(petitions) -> list[Petition]:
    """Each petition in the reader's language; the translations were prefetched."""
    return [translated(petition) for petition in petitions]


def home(request):
    petitions = (
        Petition.objects.signable().most_signed().select_related("organisation")
        .prefetch_related("translations")[:12]
    )
    return render(request, "petitions/home.html", {"petitions": in_reader_language(petitions)})


def petition_list(request):
    query = search_terms(request.GET.get("q", ""), SEARCH_MAX_LENGTH)
    state = request.GET.get("state", "")
    petitions = (
        Petition.objects.visible().most_signed().select_related("organisation")
        .prefetch_related("translations")
    )
    if state in (Petition.State.OPEN, Petition.State.CLOSED):
        petitions = petitions.filter(state=state)
    if query:
        # A reader may search in their language: translations are searched too.
        matching = Petition.objects.filter(
            Q(title__icontains=query) | Q(ask__icontains=query) | Q(target__icontains=query)
            | Q(translations__title__icontains=query) | Q(translations__ask__icontains=query)
            | Q(translations__target__icontains=query)
        )
        petitions = petitions.filter(pk__in=matching.values("pk"))
    page = Paginator(petitions, 20).get_page(request.GET.get("page"))
    page.object_list = in_reader_language(page.object_list)
    context = {"page": page, "query": query, "state": state, "states": Petition.State}
    return render(request, "petitions/petition_list.html", context)


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


def render_petition(request, petition, form, status=200):
    """The petition page, with the sign form as given (blank or with errors)."""
    countries = country_totals(petition.pk)
    petition, languages = petition_in_reader_language(petition)
    context = {
        "petition": petition,
        "petition_languages": languages,
        "form": form,
        "country_options": country_options(form["country"].value() or ""),
        "country_chart": bar_chart(
            [(row.name, row.count) for row in countries[:COUNTRIES_ON_PAGE]],
            title=_("Signatures by country"),
            floor_label=_("fewer than %(floor)s") % {"floor": settings.CHORUS_COUNTRY_FLOOR},
        ),
        "more_countries": max(0, len(countries) - COUNTRIES_ON_PAGE),
    }
    return render(request, "petitions/petition_detail.html", context, status=status)


def petition_detail(request, slug):
    petition = public_petition_or_404(slug)
    source = request.GET.get("source", "")
    source = source if is_valid_source(source) else ""
    if set(request.GET) - {"source"}:
        return render_petition(request, petition, SignatureForm(initial={"source": source}))
    return cached_page(
        "petition-page", petition, source,
        lambda: render_petition(request, petition, SignatureForm(initial={"source": source})),
    )


def cached_page(kind: str, petition, source: str, render):
    """A public page, rendered once per language every few seconds, not per view.

    Only for pages that are the same for every reader and set no cookie.
    """
    key = f"{kind}:{petition.pk}:{petition.updated_at.timestamp()}:{get_language()}:{source}"
    content = cache.get(key)
    if content is None:
        response = render()
        cache.set(key, response.content, settings.CHORUS_COUNT_CACHE_SECONDS)
        return response
    return HttpResponse(content)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    petitions = organisation.petitions.visible().most_signed().prefetch_related("translations")
    context = {"organisation": organisation, "petitions": in_reader_language(petitions)}
    return render(request, "petitions/organisation_detail.html", context)


def _count_payload(slug: str) -> dict | None:
    key = public_count_key(slug)
    payload = cache.get(key)
    if payload is None:
        row = (
            Petition.objects.visible()
            .filter(slug=slug)
            .values("slug", "signature_count", "goal", "state", "counted_at")
            .first()
        )
        if row is None:
            return None
        counted_at = row.pop("counted_at")
        payload = {**row, "updated_at": counted_at.isoformat() if counted_at else None}
        # A short cache: the count itself only changes once per counter run.
        cache.set(key, payload, settings.CHORUS_COUNT_CACHE_SECONDS)
    return payload


def _public_json(request, payload: dict, *, etag: str | None = None):
    """JSON that partner sites may read from anywhere and cache: no cookie, an ETag."""
    body = json.dumps(payload, cls=DjangoJSONEncoder).encode()
    etag = etag or f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=5)
    return response


def count_json(request, slug):
    """The live count for partner sites: public, cacheable, cookie-free."""
    payload = _count_payload(slug)
    if payload is None:
        raise Http404
    etag = f'"{payload["signature_count"]}-{payload["state"]}-{payload["updated_at"]}"'
    return _public_json(request, payload, etag=etag)



def history(request, slug):
    petition, languages = petition_in_reader_language(public_petition_or_404(slug))
    daily = count_history(petition.pk, by="day")
    context = {
        "petition": petition,
        "petition_languages": languages,
        "daily": list(reversed(daily)),
        "chart": line_chart(
            [(point.at, point.signature_count) for point in count_history(petition.pk)],
            title=_("Confirmed signatures over time"),
        ),
        "countries": country_totals(petition.pk),
        "floor": settings.CHORUS_COUNTRY_FLOOR,
    }
    return render(request, "petitions/history.html", context)


def history_json(request, slug):
    petition = public_petition_or_404(slug)

    def points(by):
        return [{"at": p.at, "signature_count": p.signature_count}
                for p in count_history(petition.pk, by=by)]

    return _public_json(request, {
        "slug": petition.slug,
        "signature_count": petition.signature_count,
        "updated_at": petition.counted_at,
        "hourly": points("hour"),
        "daily": points("day"),
    })


def countries_json(request, slug):
    petition = public_petition_or_404(slug)
    return _public_json(request, {
        "slug": petition.slug,
        "floor": settings.CHORUS_COUNTRY_FLOOR,
        "countries": [
            {"code": row.code, "name": row.name, "signature_count": row.count,
             "fewer_than": row.fewer_than}
            for row in country_totals(petition.pk)
        ],
    })


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
