"""What only an organisation's owners may take out of Chorus or destroy.

The signatures CSV, the delivery document and the emergency purge (API keys,
the other owner-only door, are in chorus.api.keys): each hands over or
removes signers' data, so an editor or viewer gets a 403 and every use is in
the audit log.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache

from chorus.lib.http import allow_methods, form_data, require_safe
from chorus.organisers.models import Role
from chorus.petitions.permissions import partner_for_member, petition_for_member
from chorus.signatures.exports.delivery.pdf import DELIVERY_NOT_BUILT, DeliveryNotBuilt
from chorus.signatures.exports.delivery.services import (
    delivery_is_direct,
    delivery_latest,
    delivery_open,
    delivery_request,
    petition_delivery,
)
from chorus.signatures.exports.forms import PurgeForm
from chorus.signatures.exports.sealed import export_key, sealed_file
from chorus.signatures.models import Signature
from chorus.signatures.sealing.services import current_key
from chorus.signatures.services import (
    partner_signatures_csv_rows,
    petition_purge,
    signatures_csv_rows,
)


def _private(response):
    # Signers' data: no browser or proxy may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def signatures_csv(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    if key := export_key(petition):
        rows = signatures_csv_rows(petition=petition, actor=request.user, sealed=True)
        return _sealed(sealed_file(rows, key), f"{petition.slug}-signatures.csv.age")
    response = StreamingHttpResponse(
        signatures_csv_rows(petition=petition, actor=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
    return _private(response)


@login_required
@require_safe
def partner_csv(request, slug: str, pk: int):
    """A partner's own signers: those who asked to hear from it, for its owners only."""
    partner, _membership = partner_for_member(request.user, slug, pk, Role.OWNER,
                                              petition_members=False)
    rows = partner_signatures_csv_rows(partner=partner, actor=request.user)
    filename = f"{partner.petition.slug}-{partner.source}-signers.csv"
    # Sealed to the partner's own key when it has one, as the owner's export is to theirs.
    if key := current_key(partner.organisation_id):
        return _sealed(sealed_file(rows, key), f"{filename}.age")
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


def _sealed(file, filename: str):
    # Only the organisation's private key opens it: `age -d` or tools/chorus-open.
    response = FileResponse(file, as_attachment=True, filename=filename,
                            content_type="application/octet-stream")
    return _private(response)


@login_required
@require_safe
def delivery(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    if not delivery_is_direct(petition):
        return _delivery_prepared(request, petition)
    try:
        document = petition_delivery(petition=petition, actor=request.user)
    except DeliveryNotBuilt:
        return _private(render(request, "signatures/exports/delivery_failed.html",
                               {"petition": petition, "message": DELIVERY_NOT_BUILT}, status=503))
    if key := export_key(petition):
        return _sealed(sealed_file([document], key), f"{petition.slug}-delivery.pdf.age")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-delivery.pdf"'
    return _private(response)


def _delivery_prepared(request, petition):
    # Too big to make inside a request: the one the task worker prepared, if any.
    opened = delivery_open(petition=petition, actor=request.user)
    if opened is None:
        messages.info(request, gettext(
            "This petition's delivery document is made in the background: prepare it first."))
        return redirect("signatures:exports:delivery_page", slug=petition.slug)
    document, file = opened
    if document.sealed:
        return _sealed(file, f"{petition.slug}-delivery.pdf.age")
    return _private(FileResponse(file, as_attachment=True, content_type="application/pdf",
                                 filename=f"{petition.slug}-delivery.pdf"))


@login_required
@never_cache
@allow_methods("GET", "POST")
def delivery_page(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    if request.method == "POST":
        form_data(request)  # the button sends nothing; a body too big is a 400 here
        delivery_request(petition=petition, actor=request.user, language=get_language())
        messages.success(request, gettext(
            "The delivery document is being prepared. We will e-mail you when it is ready."))
        return redirect("signatures:exports:delivery_page", slug=petition.slug)
    return render(request, "signatures/exports/delivery.html", {
        "petition": petition, "document": delivery_latest(petition),
        "direct": delivery_is_direct(petition),
    })


@login_required
@never_cache
@allow_methods("GET", "POST")
def purge(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    form = PurgeForm(form_data(request) if request.method == "POST" else None, petition=petition)
    if form.is_valid():
        petition_purge(petition=petition, actor=request.user)
        messages.success(request, gettext(
            "The signers' personal data is gone; the count and country totals are kept."))
        return redirect("signatures:exports:purge", slug=petition.slug)
    signatures = petition.signatures.filter(anonymised_at__isnull=True)
    return render(request, "signatures/exports/purge.html", {
        "petition": petition, "form": form,
        "unconfirmed": signatures.filter(state=Signature.State.PENDING).count(),
        "to_anonymise": signatures.exclude(state=Signature.State.PENDING).count(),
    }, status=400 if form.is_bound else 200)
