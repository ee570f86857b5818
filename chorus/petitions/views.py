from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from chorus.petitions.models import Organisation, Petition
from chorus.petitions.selectors import public_petition
from chorus.signatures.forms import SignatureForm, country_options

SEARCH_MAX_LENGTH = 100


def home(request):
    petitions = Petition.objects.signable().most_signed().select_related("organisation")[:12]
    return render(request, "petitions/home.html", {"petitions": petitions})


def petition_list(request):
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    state = request.GET.get("state", "")
    petitions = Petition.objects.visible().most_signed().select_related("organisation")
    if state in (Petition.State.OPEN, Petition.State.CLOSED):
        petitions = petitions.filter(state=state)
    if query:
        petitions = petitions.filter(
            Q(title__icontains=query) | Q(ask__icontains=query) | Q(target__icontains=query)
        )
    page = Paginator(petitions, 20).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "state": state, "states": Petition.State}
    return render(request, "petitions/petition_list.html", context)


def render_petition(request, petition, form, status=200):
    """The petition page, with the sign form as given (blank or with errors)."""
    context = {
        "petition": petition,
        "form": form,
        "country_options": country_options(form["country"].value() or ""),
    }
    return render(request, "petitions/petition_detail.html", context, status=status)


def petition_detail(request, slug):
    petition = public_petition(slug)
    if petition is None:
        raise Http404
    source = request.GET.get("source", "")[:64]
    if set(request.GET) - {"source"}:
        return render_petition(request, petition, SignatureForm(initial={"source": source}))
    # The page is the same for every reader (it sets no cookie), so a viral
    # petition is rendered once per language every few seconds, not per view.
    key = f"petition-page:{petition.pk}:{petition.updated_at.timestamp()}:{get_language()}:{source}"
    content = cache.get(key)
    if content is None:
        response = render_petition(request, petition, SignatureForm(initial={"source": source}))
        cache.set(key, response.content, settings.CHORUS_COUNT_CACHE_SECONDS)
        return response
    return HttpResponse(content)


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    petitions = organisation.petitions.visible().most_signed()
    context = {"organisation": organisation, "petitions": petitions}
    return render(request, "petitions/organisation_detail.html", context)


def _count_payload(slug: str) -> dict | None:
    key = f"petition-count:{slug}"
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


def count_json(request, slug):
    """The live count for partner sites: public, cacheable, cookie-free."""
    payload = _count_payload(slug)
    if payload is None:
        raise Http404
    etag = f'"{payload["signature_count"]}-{payload["state"]}-{payload["updated_at"]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = JsonResponse(payload)
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=5)
    return response
