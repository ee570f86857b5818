"""What only an organisation's owners may take out of Chorus or destroy.

The signatures CSV, the delivery document, the emergency purge and the API
keys: each hands over or removes signers' data, so an editor or viewer gets
a 403 and every use is in the audit log.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from chorus.api.forms import ApiKeyForm
from chorus.api.models import ApiKey
from chorus.api.services import api_key_create, api_key_revoke
from chorus.audit.services import audit_record
from chorus.lib.http import form_data, require_post
from chorus.lib.text import validate_plain_line
from chorus.organisers.models import Role
from chorus.organisers.permissions import organisation_for_member, petition_for_member
from chorus.petitions.delivery import delivery_pdf
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature
from chorus.signatures.services import petition_purge, signatures_csv_rows


def _private(response):
    # Signers' data: no browser or proxy may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def signatures_csv(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    response = StreamingHttpResponse(
        signatures_csv_rows(petition=petition, actor=request.user),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-signatures.csv"'
    return _private(response)


def petition_delivery(*, petition: Petition, actor) -> bytes:
    """The delivery document, recorded in the audit log with the total it states."""
    document = delivery_pdf(petition)
    confirmed = petition.signatures.filter(state=Signature.State.CONFIRMED).count()
    audit_record(actor=actor, action="petition.delivery", target=petition, count=confirmed)
    return document


@login_required
@require_safe
def delivery(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    response = HttpResponse(petition_delivery(petition=petition, actor=request.user),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{petition.slug}-delivery.pdf"'
    return _private(response)


class PurgeForm(forms.Form):
    confirm_slug = forms.CharField(
        label=_("Type the petition's address to confirm"), max_length=100,
        validators=[validate_plain_line],
        error_messages={"required": _("Type the petition's address to confirm.")},
    )

    def __init__(self, *args, petition: Petition, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition

    def clean_confirm_slug(self) -> str:
        typed = self.cleaned_data["confirm_slug"]
        if typed != self.petition.slug:
            raise forms.ValidationError(
                _("Nothing was purged: that is not this petition's address (%(slug)s)."),
                params={"slug": self.petition.slug}, code="mismatch",
            )
        return typed


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def purge(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    form = PurgeForm(form_data(request) if request.method == "POST" else None, petition=petition)
    if form.is_valid():
        petition_purge(petition=petition, actor=request.user)
        messages.success(request, gettext(
            "The signers' personal data is gone; the count and country totals are kept."))
        return redirect("exports:purge", slug=petition.slug)
    signatures = petition.signatures.filter(anonymised_at__isnull=True)
    return render(request, "organisers/exports/purge.html", {
        "petition": petition, "form": form,
        "unconfirmed": signatures.filter(state=Signature.State.PENDING).count(),
        "to_anonymise": signatures.exclude(state=Signature.State.PENDING).count(),
    }, status=400 if form.is_bound else 200)


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def api_keys(request, slug: str):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    form = ApiKeyForm(form_data(request) if request.method == "POST" else None)
    created = secret = None
    if form.is_valid():
        # Rendered, not redirected: this answer is the only place the secret ever appears.
        created, secret = api_key_create(
            organisation=organisation, name=form.cleaned_data["name"], actor=request.user
        )
        form = ApiKeyForm()
    response = render(request, "organisers/exports/api_keys.html", {
        "organisation": organisation, "form": form, "created": created, "secret": secret,
        "keys": organisation.api_keys.order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at"),
    }, status=400 if form.is_bound and form.errors else 200)
    return _private(response)


@login_required
@require_post
def api_key_revoke_view(request, slug: str, pk: int):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    api_key = get_object_or_404(ApiKey.objects.select_related("organisation"),
                                pk=pk, organisation=organisation)
    if api_key_revoke(api_key=api_key, actor=request.user):
        messages.success(request, gettext("The key “%(name)s” no longer works.")
                         % {"name": api_key.name})
    return redirect("exports:api_keys", slug=organisation.slug)
