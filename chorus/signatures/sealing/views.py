"""An organisation's own keys: owners register the public half, and re-seal after a change.

Only the public key is ever sent here. The page can make a key pair in the
browser (static/js/organisation-key.js, which sends nothing), but works
without JavaScript by pasting one made with `age-keygen`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache

from chorus.lib.http import allow_methods, form_data, require_post, require_safe
from chorus.organisers.models import OrganisationKey, Role
from chorus.organisers.permissions import organisation_for_member
from chorus.signatures.models import Signature
from chorus.signatures.sealing.forms import OrganisationKeyForm, ResealForm
from chorus.signatures.sealing.services import (
    current_key,
    organisation_key_register,
    reseal_bundle_lines,
    signatures_reseal,
)


def _page(request, organisation, form, *, status=200):
    keys = list(organisation.keys.all())
    for key in keys:
        key.rows = Signature.objects.filter(sealed_to=key).count()
    return render(request, "signatures/sealing/keys.html", {
        "organisation": organisation, "form": form, "keys": keys,
        "current": current_key(organisation.pk), "reseal_form": ResealForm(),
    }, status=status)


@login_required
@never_cache
@allow_methods("GET", "POST")
def keys(request, slug: str):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    form = OrganisationKeyForm(form_data(request) if request.method == "POST" else None,
                               organisation=organisation)
    if form.is_valid():
        key = organisation_key_register(
            organisation=organisation, recipient=form.cleaned_data["recipient"],
            label=form.cleaned_data["label"], actor=request.user,
        )
        messages.success(request, gettext(
            "From now on signers' personal data is sealed to the key %(key)s.")
            % {"key": key.fingerprint})
        return redirect("signatures:sealing:keys", slug=organisation.slug)
    return _page(request, organisation, form, status=400 if form.is_bound else 200)


def _retired_key(organisation, pk: int) -> OrganisationKey:
    return get_object_or_404(organisation.keys, pk=pk, retired_at__isnull=False)


@login_required
@require_safe
def reseal_bundle(request, slug: str, pk: int):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    old_key, new_key = _retired_key(organisation, pk), current_key(organisation.pk)
    if new_key is None:
        return redirect("signatures:sealing:keys", slug=organisation.slug)
    response = StreamingHttpResponse(reseal_bundle_lines(old_key=old_key, new_key=new_key),
                                     content_type="application/x-ndjson")
    response["Content-Disposition"] = f'attachment; filename="{organisation.slug}-rows.jsonl"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_post
def reseal(request, slug: str, pk: int):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    old_key, new_key = _retired_key(organisation, pk), current_key(organisation.pk)
    form = ResealForm(form_data(request), request.FILES)
    if new_key is None or not form.is_valid():
        messages.error(request, gettext("Choose the file tools/chorus-open reseal wrote."))
        return redirect("signatures:sealing:keys", slug=organisation.slug)
    lines = (line.decode(errors="replace") for line in form.cleaned_data["resealed"])
    done = signatures_reseal(organisation=organisation, old_key=old_key, new_key=new_key,
                             lines=lines, actor=request.user)
    messages.success(request, ngettext(
        "%(count)s signature is now sealed to the new key.",
        "%(count)s signatures are now sealed to the new key.", done.resealed,
    ) % {"count": done.resealed})
    if done.refused:
        messages.error(request, ngettext(
            "%(count)s line was not accepted and its signature is unchanged.",
            "%(count)s lines were not accepted and their signatures are unchanged.",
            done.refused,
        ) % {"count": done.refused})
    return redirect("signatures:sealing:keys", slug=organisation.slug)
