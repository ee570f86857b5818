"""JSON API v1: public, read-only figures about petitions (see docs/api.md)."""

import re
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Query, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from chorus.api import schemas
from chorus.api.models import KEY_PREFIX, ApiKey, key_digest
from chorus.audit.models import AuditEntry
from chorus.audit.services import audit_record
from chorus.lib.hosts import site_url
from chorus.lib.http import public_page, require_safe
from chorus.lib.translations import translated
from chorus.petitions.models import PAUSED_MESSAGE, HandIn, Petition
from chorus.petitions.search import petitions_search
from chorus.petitions.selectors import PetitionTakenDown, refuse_if_taken_down
from chorus.petitions.takedown import taken_down_notice
from chorus.signatures.counting.selectors import (
    count_history_both,
    country_totals,
    partner_totals,
    public_count,
)
from chorus.signatures.forms import SignatureForm
from chorus.signatures.services import signature_create

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
# An unknown petition, and one the moderators took down.
NOT_THERE = {404: schemas.Error, 410: schemas.Gone}
# A query parameter ninja could not read (a language, state or page it does not know).
BAD_QUERY = {422: schemas.ValidationErrors}

api = NinjaAPI(
    title="Chorus API",
    version="1",
    description=str(_(
        "Public, read-only figures about petitions: counts, their history and "
        "signatures by country. No personal data is ever returned. Organisations "
        "can record signatures with an API key."
    )),
    urls_namespace="api-v1",
    # Our own reference page (reference() below) instead of Swagger UI: it has the site's
    # header, language and landmarks, and passes the same accessibility checks as every page.
    docs_url=None,
)


@api.exception_handler(PetitionTakenDown)
def taken_down(request, gone: PetitionTakenDown):
    return api.create_response(request, taken_down_notice(gone.petition), status=410)


def _url(path: str) -> str:
    return site_url() + path


def _petition_out(petition: Petition, language: str | None = None) -> dict:
    # The original unless a language is asked for: a client that says nothing
    # gets what people signed, whatever its Accept-Language.
    rows = list(petition.translations.all())
    languages = sorted({petition.language, *(row.language for row in rows)})
    petition = translated(petition, language or petition.language, translations=rows)
    return {
        "identifier": petition.slug,
        "language": petition.language,
        "languages": languages,
        "title": petition.title,
        "summary": petition.ask,
        "petition_text": petition.body,
        "target": [{"name": petition.target}],
        "total_signatures": petition.signature_count,
        "goal": petition.goal,
        "state": petition.state,
        "opens_at": petition.opens_at,
        "paused": petition.is_paused,
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
        "victory": petition.victory_at is not None,
        "victory_at": petition.victory_at,
        "response": (
            {"text": petition.response_text, "date": petition.response_date}
            if petition.response_text and petition.response_date else None
        ),
        **_targets_out(petition),
    }


def _targets_out(petition: Petition) -> dict:
    handin = HandIn.objects.filter(petition_id=petition.pk).first()
    today = timezone.localdate()
    targets = []
    for target in petition.targets.all():
        status = target.answer_status(handin=handin, today=today)
        targets.append({
            "name": target.name, "role": target.role, "organisation": target.organisation,
            "contact": target.contact, "status": status.status,
            "response_date": target.response_date if target.is_answered else None,
            "response_text": target.response_text if target.is_answered else None,
            "days_since_handin": status.days_since_handin,
        })
    return {"targets": targets, "handin": handin and {
        "date": handin.handed_in_on, "place": handin.place, "received_by": handin.received_by,
        "note": handin.note, "photo_url": _url(handin.image.url) if handin.image else None,
        "photo_description": handin.image_alt, "answers_due": handin.answers_due,
    }}


def _visible(slug: str) -> Petition:
    # A path parameter can hold anything, NUL bytes included; slugs cannot.
    if not SLUG.fullmatch(slug):
        raise Http404
    return refuse_if_taken_down(get_object_or_404(
        Petition.objects.with_public_address().select_related("organisation", "takedown_reason"),
        slug=slug,
    ))


# One of the site's languages; an unknown code is refused like an unknown state.
Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]
# The list holds only these (visible()); any other state is refused, not ignored.
ListedState = Literal[Petition.State.OPEN.value, Petition.State.CLOSED.value]


class PetitionFilters(Schema):
    q: str | None = None
    state: ListedState | None = None
    language: Language | None = None


class PetitionQuery(Schema):
    language: Language | None = None


@api.get("/petitions", response={200: list[schemas.Petition], **BAD_QUERY}, tags=["petitions"])
@paginate(PageNumberPagination, page_size=20, max_page_size=100)
def petitions(request, filters: Query[PetitionFilters]):
    """Open and closed petitions, most signed first; with `q`, those holding all its words.

    The same search as the site's: every word, in any order, in the title,
    summary, target or text, or in a translation; where the site runs on
    PostgreSQL, word forms match too and the best matches come first.

    With `language`, the text is in that language where the petition has a
    translation (the original elsewhere); `language` in each says which."""
    found = (
        Petition.objects.visible().select_related("organisation").most_signed()
        .prefetch_related("translations", "targets")
    )
    if filters.state:
        found = found.filter(state=filters.state)
    found = petitions_search(query=filters.q or "", queryset=found)
    return [_petition_out(petition, filters.language) for petition in found]


@api.get("/petitions/{slug}", response={200: schemas.Petition, **NOT_THERE, **BAD_QUERY},
         tags=["petitions"])
def petition(request, slug: str, query: Query[PetitionQuery]):
    """One petition; with `language`, its text in that language if translated."""
    return _petition_out(_visible(slug), query.language)


@api.get("/petitions/{slug}/count", response={200: schemas.Count, **NOT_THERE},
         tags=["figures"])
def count(request, slug: str):
    figures = public_count(slug) if SLUG.fullmatch(slug) else None
    if figures is None:
        raise Http404
    statement = figures["statement"]
    if statement is not None:
        statement = {**statement, "url": _url(reverse(
            "signatures:transparency:statement", args=[figures["slug"], statement["number"]]))}
    return {"identifier": figures["slug"], "total_signatures": figures["signature_count"],
            "goal": figures["goal"], "state": figures["state"],
            "paused": figures["paused_at"] is not None,
            "counted_at": figures["counted_at"], "statement": statement,
            "paper": {"total_signatures": figures["paper"]["signature_count"],
                      "fewer_than": figures["paper"]["fewer_than"]} if figures["paper"] else None}


@api.get("/petitions/{slug}/history", response={200: schemas.History, **NOT_THERE},
         tags=["figures"])
def history(request, slug: str):
    """Confirmed signatures at the end of each hour in which the count changed, and of each day.

    Each figure is recorded when it is counted and never changed afterwards."""
    petition = _visible(slug)
    return {
        "identifier": petition.slug, "total_signatures": petition.signature_count,
        "counted_at": petition.counted_at,
        **{
            by: [{"date": p.at, "total_signatures": p.signature_count} for p in points]
            for by, points in count_history_both(petition.pk).items()
        },
    }


@api.get("/petitions/{slug}/countries", response={200: schemas.Countries, **NOT_THERE},
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


@api.get("/petitions/{slug}/partners", response={200: schemas.Partners, **NOT_THERE},
         tags=["figures"])
def partners(request, slug: str):
    """The one count by the partner organisation whose link brought each signature;
    below the floor only "fewer than <floor>". Each address counts once."""
    petition = _visible(slug)
    return {
        "identifier": petition.slug,
        "floor": settings.CHORUS_COUNTRY_FLOOR,
        "partners": [
            {"source": row.source, "name": row.name, "total_signatures": row.count,
             "fewer_than": row.fewer_than}
            for row in partner_totals(petition.pk)
        ],
    }


@api.get("/petitions/{slug}/updates", response={200: list[schemas.Update], **NOT_THERE},
         tags=["petitions"])
def updates(request, slug: str):
    """The organisers' news about the petition, newest first; `body` is Markdown."""
    petition = _visible(slug)
    page = _url(petition.get_absolute_url())
    published = petition.updates.filter(published_at__lte=timezone.now())
    return [
        {"id": update.pk, "title": update.title, "body": update.body,
         "body_html": str(update.body_html()), "published_at": update.published_at,
         "browser_url": f"{page}#update-{update.pk}"}
        for update in published
    ]


@api.get("/petitions/{slug}/milestones",
         response={200: list[schemas.Milestone], **NOT_THERE}, tags=["figures"])
def milestones(request, slug: str):
    """Thresholds the count has passed and when the counter saw each one pass."""
    petition = _visible(slug)
    return [
        {"threshold": m.threshold, "percent_of_goal": m.percent_of_goal,
         "reached_at": m.reached_at}
        for m in petition.milestones.all()
    ]


class KeyAuth(HttpBearer):
    """`Authorization: Bearer chorus_…`: an organisation's API key."""

    def authenticate(self, request, token):
        if not token.startswith(KEY_PREFIX):
            return None
        api_key = (
            ApiKey.objects.active().select_related("organisation")
            .filter(digest=key_digest(token)).first()
        )
        if api_key is not None:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=timezone.now())
        return api_key


# The uses of a key that count towards its rate: those that got past the check.
RATED_OUTCOMES = ["accepted", "invalid", "closed", "paused"]


def _over_rate(api_key: ApiKey) -> bool:
    """Whether the key has used up CHORUS_API_KEY_RATE signatures in the last minute.

    Counted from the audit log, which records every use of a key anyway, as the signing
    limits count the signatures already stored: every process and server sees the same
    count, with no counter of their own and no Redis. At most `rate` index entries are
    read. Uses at the same instant may both pass at the limit: it holds off a runaway
    script, it is not a quota. Refusals do not count, so a client that keeps trying
    still gets its rate through each minute.
    """
    rate = settings.CHORUS_API_KEY_RATE
    uses = AuditEntry.objects.filter(
        action="api.signature", target_type=ApiKey._meta.label, target_id=str(api_key.pk),
        created_at__gt=timezone.now() - timedelta(minutes=1),
        details__outcome__in=RATED_OUTCOMES,
    )
    return uses[:rate].count() >= rate


@api.post(
    "/petitions/{slug}/signatures", auth=KeyAuth(), tags=["signing"],
    # 400: a body that is not JSON; 422: the form's messages, or ninja's for a body
    # it could not read as a signature (a missing field, a number for a name).
    response={202: schemas.Accepted, 400: schemas.Error, 401: schemas.Error,
              404: schemas.Error, 409: schemas.Error, 410: schemas.Gone,
              422: schemas.FormErrors | schemas.ValidationErrors, 429: schemas.Error},
)
def record_signature(request, slug: str, payload: schemas.SignatureIn):
    """Record a signature from a partner's form or CRM, for the key's own organisation.

    The same rules as on the website: the signer gets the confirmation e-mail
    and only a confirmed signature counts; a second signature from the same
    address gets the very same answer. Every use of a key is in the audit log.
    """
    api_key = request.auth
    petition = (
        Petition.objects.with_public_address().select_related("takedown_reason")
        .filter(slug=slug, organisation=api_key.organisation)
    )
    petition = petition.first() if SLUG.fullmatch(slug) else None
    if petition is None:
        return _refuse(api_key, slug, 404, _("Not found."))
    if petition.state == Petition.State.TAKEN_DOWN:
        _audit_key_use(api_key, slug, "taken_down")
        return Status(410, taken_down_notice(petition))
    if _over_rate(api_key):
        return _refuse(api_key, slug, 429,
                       _("Too many signatures from this key; try again in a minute."))
    if petition.is_paused:
        return _refuse(api_key, slug, 409, PAUSED_MESSAGE, outcome="paused")
    if not petition.is_signable:
        return _refuse(api_key, slug, 409,
                       _("This petition is closed and no longer accepts signatures."))
    data = payload.dict()
    form = SignatureForm({**data, "updates": "on" if data["updates"] else "",
                          "show_name": "on" if data["show_name"] else ""})
    if not form.is_valid():
        _audit_key_use(api_key, slug, "invalid")
        errors = [{"field": field, "message": str(messages[0])}
                  for field, messages in form.errors.items()]
        return Status(422, {"detail": errors})
    fields = dict(form.cleaned_data)
    # Partners' consent boxes belong to the sign form (petitions.partners); a key
    # records the organisation's own signers, with none.
    fields.pop("partner_updates")
    # No IP: the request comes from the partner's server, not from the signer.
    signature_create(petition_id=petition.pk, **fields, language=get_language() or "")
    _audit_key_use(api_key, slug, "accepted")
    return Status(202, {"status": "accepted"})


def _refuse(api_key: ApiKey, slug: str, status: int, message, outcome: str = "") -> Status:
    outcome = outcome or {404: "not_found", 409: "closed", 429: "rate_limited"}[status]
    _audit_key_use(api_key, slug, outcome)
    return Status(status, {"detail": str(message)})


def _audit_key_use(api_key: ApiKey, slug: str, outcome: str) -> None:
    audit_record(actor=None, action="api.signature", target=api_key, petition=slug,
                 outcome=outcome)


@public_page
@require_safe
def reference(request):
    """The API's reference page, read from the same OpenAPI schema as /api/v1/openapi.json."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = [
        {
            "method": method.upper(), "path": path, "id": operation.get("operationId", ""),
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "parameters": operation.get("parameters", []),
            "responses": sorted(operation.get("responses", {}).items()),
            "needs_key": bool(operation.get("security")),
        }
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    context = {"info": schema["info"], "operations": operations}
    return render(request, "api/reference.html", context)
