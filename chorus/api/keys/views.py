"""An organisation's API keys: owners make them (the secret shown once) and revoke them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from chorus.api.forms import ApiKeyForm
from chorus.api.models import ApiKey
from chorus.api.services import api_key_create, api_key_revoke
from chorus.lib.http import allow_methods, form_data, require_post
from chorus.organisers.models import Role
from chorus.organisers.permissions import organisation_for_member


def _private(response):
    # The answer that shows a new secret must not be kept by a browser or proxy.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@never_cache
@allow_methods("GET", "POST")
def key_list(request, slug: str):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    form = ApiKeyForm(form_data(request) if request.method == "POST" else None)
    created = secret = None
    if form.is_valid():
        # Rendered, not redirected: this answer is the only place the secret ever appears.
        created, secret = api_key_create(
            organisation=organisation, name=form.cleaned_data["name"], actor=request.user
        )
        form = ApiKeyForm()
    response = render(request, "api/keys.html", {
        "organisation": organisation, "form": form, "created": created, "secret": secret,
        "keys": organisation.api_keys.order_by(
            F("revoked_at").desc(nulls_first=True), "-created_at"),
    }, status=400 if form.is_bound and form.errors else 200)
    return _private(response)


@login_required
@require_post
def key_revoke(request, slug: str, pk: int):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    api_key = get_object_or_404(ApiKey.objects.select_related("organisation"),
                                pk=pk, organisation=organisation)
    if api_key_revoke(api_key=api_key, actor=request.user):
        messages.success(request, gettext("The key “%(name)s” no longer works.")
                         % {"name": api_key.name})
    return redirect("api:keys:list", slug=organisation.slug)
