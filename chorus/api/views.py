"""JSON API v1: public, read-only figures about petitions (see docs/api.md)."""

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Query, Schema
from ninja.pagination import PageNumberPagination, paginate

from chorus.api import schemas
from chorus.petitions.models import Petition
from chorus.signatures.selectors import count_history, country_totals

api = NinjaAPI(
    title="Chorus API",
    version="1",
    description=str(_(
        "Public, read-only figures about petitions: counts, their history and "
        "signatures by country. No personal data is ever returned."
    )),
    urls_namespace="api-v1",
)


def _url(path: str) -> str:
    return settings.SITE_URL + path


def _petition_out(petition: Petition) -> dict:
    return {
        "identifier": petition.slug,
        "title": petition.title,
        "summary": petition.ask,
        "petition_text": petition.body,
        "target": [{"name": petition.target}],
        "total_signatures": petition.signature_count,
        "goal": petition.goal,
        "state": petition.state,
        "browser_url": _url(petition.get_absolute_url()),
        "featured_image_url": _url(petition.image.url) if petition.image else None,
        "featured_image_caption": petition.image_caption,
        "featured_image_credit": petition.image_credit,
        "action_date": petition.opened_at,
        "end_date": petition.closes_at or petition.closed_at,
        "counted_at": petition.counted_at,
        "modified_date": petition.updated_at,
        "organisation": {
            "name": petition.organisation.name,
            "slug": petition.organisation.slug,
            "browser_url": _url(petition.organisation.get_absolute_url()),
            "website": petition.organisation.website,
        },
    }


def _visible(slug: str) -> Petition:
    return get_object_or_404(Petition.objects.visible().select_related("organisation"), slug=slug)


class PetitionFilters(Schema):
    q: str | None = None
    state: Petition.State | None = None


@api.get("/petitions", response=list[schemas.Petition], tags=["petitions"])
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def petitions(request, filters: Query[PetitionFilters]):
    """Open and closed petitions, most signed first; search with `q`."""
    found = Petition.objects.visible().select_related("organisation").most_signed()
    if filters.state in (Petition.State.OPEN, Petition.State.CLOSED):
        found = found.filter(state=filters.state)
    if filters.q:
        query = filters.q[:100]
        found = found.filter(
            Q(title__icontains=query) | Q(ask__icontains=query) | Q(target__icontains=query)
        )
    return [_petition_out(petition) for petition in found]


@api.get("/petitions/{slug}", response={200: schemas.Petition, 404: schemas.Error},
         tags=["petitions"])
def petition(request, slug: str):
    return _petition_out(_visible(slug))


@api.get("/petitions/{slug}/count", response={200: schemas.Count, 404: schemas.Error},
         tags=["figures"])
def count(request, slug: str):
    petition = _visible(slug)
    return {"identifier": petition.slug, "total_signatures": petition.signature_count,
            "goal": petition.goal, "state": petition.state, "counted_at": petition.counted_at}


@api.get("/petitions/{slug}/history", response={200: schemas.History, 404: schemas.Error},
         tags=["figures"])
def history(request, slug: str):
    """Confirmed signatures at the end of each hour in which the count changed, and of each day.

    Each figure is recorded when it is counted and never changed afterwards."""
    petition = _visible(slug)

    def points(by):
        return [{"date": p.at, "total_signatures": p.signature_count}
                for p in count_history(petition.pk, by=by)]

    return {"identifier": petition.slug, "total_signatures": petition.signature_count,
            "counted_at": petition.counted_at, "hourly": points("hour"), "daily": points("day")}


@api.get("/petitions/{slug}/countries", response={200: schemas.Countries, 404: schemas.Error},
         tags=["figures"])
def countries(request, slug: str):
    """Confirmed signatures by country; below the floor only "fewer than <floor>"."""
    petition = _visible(slug)
    return {
        "identifier": petition.slug,
        "floor": settings.CHORUS_COUNTRY_FLOOR,
        "countries": [
            {"code": row.code, "name": row.name, "total_signatures": row.count,
             "fewer_than": row.fewer_than}
            for row in country_totals(petition.pk)
        ],
    }
