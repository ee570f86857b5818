"""A petition's public figures for people and partner sites: count, history, countries.

The JSON is public, cacheable and cookie-free, so news sites can poll it.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from chorus.lib.charts import line_chart
from chorus.lib.http import public_data, public_json, public_page
from chorus.lib.worldmap import legend
from chorus.petitions.selectors import petition_in_reader_language, public_petition_or_404
from chorus.signatures.counting.selectors import (
    count_history,
    count_history_both,
    country_map,
    country_map_png,
    country_totals,
    partner_totals,
    public_count,
)


@public_data
def count_json(request, slug):
    """The live count for partner sites: public, cacheable, cookie-free."""
    figures = public_count(slug)
    if figures is None:
        raise Http404
    counted_at = figures["counted_at"]
    payload = {
        "slug": figures["slug"], "signature_count": figures["signature_count"],
        "goal": figures["goal"], "state": figures["state"],
        "paused": figures["paused_at"] is not None,
        "updated_at": counted_at.isoformat() if counted_at else None,
        "statement": _statement(request, figures),
        # Of which signed on paper sheets (null if none), with the small-count floor.
        "paper": figures["paper"],
    }
    number = payload["statement"]["number"] if payload["statement"] else 0
    paper = (figures["paper"] or {}).get("signature_count")
    etag = (f'"{payload["signature_count"]}-{payload["state"]}-{payload["paused"]:d}-'
            f'{payload["updated_at"]}-{number}-{paper}"')
    return public_json(request, payload, etag=etag)


def _statement(request, figures) -> dict | None:
    """The latest signed statement of the log, for anyone who wants to check the count."""
    statement = figures["statement"]
    if statement is None:
        return None
    url = reverse("signatures:transparency:statement", args=[figures["slug"],
                                                             statement["number"]])
    return {**statement, "url": request.build_absolute_uri(url)}


@public_page
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
        "partners": partner_totals(petition.pk),
        "country_map": country_map(petition.pk),
        "map_legend": legend(floor=settings.CHORUS_COUNTRY_FLOOR),
        "floor": settings.CHORUS_COUNTRY_FLOOR,
    }
    return render(request, "petitions/history.html", context)


@public_data
def history_json(request, slug):
    petition = public_petition_or_404(slug)
    return public_json(request, {
        "slug": petition.slug,
        "signature_count": petition.signature_count,
        "updated_at": petition.counted_at,
        **{
            by: [{"at": p.at, "signature_count": p.signature_count} for p in points]
            for by, points in count_history_both(petition.pk).items()
        },
    })


@public_page  # country names are in the reader's language
def countries_json(request, slug):
    petition = public_petition_or_404(slug)
    return public_json(request, {
        "slug": petition.slug,
        "floor": settings.CHORUS_COUNTRY_FLOOR,
        "countries": [
            {"code": row.code, "name": row.name, "signature_count": row.count,
             "fewer_than": row.fewer_than}
            for row in country_totals(petition.pk)
        ],
    })


@public_data  # its legend is in figures only, the same in every language
def map_png(request, slug):
    """The map of signatures by country as a picture, for link previews and posts."""
    petition = public_petition_or_404(slug)
    return HttpResponse(country_map_png(petition.pk), content_type="image/png")
