from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from chorus.lib.charts import bar_chart
from chorus.lib.http import (
    cached_page,
    leave_no_trace,
    private_preview,
    public_page,
    require_safe,
    same_site_post,
)
from chorus.lib.text import masked_email
from chorus.lib.translations import translated
from chorus.petitions.previews.services import preview_link_use
from chorus.petitions.selectors import (
    petition_in_reader_language,
    public_page_key,
    public_petition,
    public_petition_or_404,
)
from chorus.signatures import services, tasks, tokens
from chorus.signatures.counting.selectors import country_totals
from chorus.signatures.forms import SignatureForm, country_options, is_valid_source
from chorus.signatures.models import Signature
from chorus.signatures.signing import keeps_the_form_when_the_database_is_down, submit_signature
from chorus.signatures.transparency.receipts import formatted, receipt_of
from chorus.signatures.transparency.selectors import latest_reference

COUNTRIES_ON_PAGE = 10


def render_petition(request, petition, form, status=200, *, preview=False):
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
        "log_statement": latest_reference(petition.pk),
        "preview": preview,
    }
    return render(request, "petitions/petition_detail.html", context, status=status)


@public_page
def petition(request, slug):
    """The petition page: what it asks, its count, and the form to sign it."""
    petition = public_petition_or_404(slug)
    source = request.GET.get("source", "")
    source = source if is_valid_source(source) else ""
    if set(request.GET) - {"source"}:
        return render_petition(request, petition, SignatureForm(initial={"source": source}))
    return cached_page(
        public_page_key("petition-page", petition, source),
        lambda: render_petition(request, petition, SignatureForm(initial={"source": source})),
    )


@private_preview
@require_safe
def preview(request, slug, token):
    """The petition page before its opening, for a preview-link holder only: a banner says
    so and the form is disabled. Never from cached_page: it is not everyone's page.

    Once the petition is public, any token here leads to the public page."""
    if public_petition(slug) is not None:
        return redirect("signatures:petition", slug=slug)
    petition = preview_link_use(slug=slug, token=token)
    if petition is None:
        raise Http404
    return render_petition(request, petition, SignatureForm(), preview=True)


# No CSRF cookie: signing must work on a first visit that sets no cookie and
# inside partners' iframes. The browser's Origin / Sec-Fetch-Site headers show
# whether the form was posted from a page of ours instead.
@same_site_post("signatures/cross_site.html")
@keeps_the_form_when_the_database_is_down("signatures/sign_unavailable.html")
def sign(request, slug):
    petition = public_petition_or_404(slug)
    if not petition.is_signable:
        return render(request, "signatures/not_signable.html", {"petition": petition}, status=409)
    invalid = submit_signature(request, petition)
    if invalid is not None:
        return render_petition(request, petition, invalid, status=400)
    # Identical for a first signature, a duplicate and anything else, so the
    # response never tells whether an address has signed.
    return redirect("signatures:thanks", slug=petition.slug)


@require_safe
@leave_no_trace
def forget(request):
    """Asked by a sensitive petition's pages once they have loaded (js/quick-exit.js): its
    Clear-Site-Data then also removes the style sheets and scripts those pages just
    cached, so the browser's cache keeps nothing of this site."""
    return HttpResponse(status=204)


@leave_no_trace
def thanks(request, slug):
    petition = translated(public_petition_or_404(slug))
    return render(request, "signatures/thanks.html", {"petition": petition})


# A signer's own pages set no cookie either (no CSRF cookie): the token in the
# link is the capability, and same_site_post refuses a post from another site.
@same_site_post("signatures/cross_site.html", allow_get=True)
@leave_no_trace
def confirm(request, token):
    """GET shows a button; only the POST confirms, so mail scanners cannot."""
    try:
        signature = services.signature_from_token(token)
    except signing.SignatureExpired:
        return render(request, "signatures/confirm_expired.html", {"token": token}, status=410)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return render(request, "signatures/confirm_invalid.html", status=404)
    if signature.state == Signature.State.INVALIDATED:
        return render(request, "signatures/confirm_invalid.html", status=404)
    _speak_signers_language(signature)
    if request.method == "POST":
        services.signature_confirm(signature=signature)
    # confirmed_by_signer: a held signature looks confirmed to its signer too.
    if not signature.confirmed_by_signer:
        return render(request, "signatures/confirm.html",
                      {"petition": signature.petition, "token": token})
    return render(request, "signatures/confirmed.html", {
        "petition": signature.petition, "token": token,
        "manage_token": tokens.manage_token(signature.pk), "receipt": _receipt(signature),
    })


def _speak_signers_language(signature) -> None:
    """A signer's own pages are in the language they signed in: they carry no language
    cookie (leave_no_trace clears it), and the link may be opened on another device."""
    if signature.language and translation.check_for_language(signature.language):
        translation.activate(signature.language)


def _receipt(signature) -> str:
    receipt = receipt_of(signature)
    return formatted(receipt) if receipt else ""


@same_site_post("signatures/cross_site.html")
@leave_no_trace
def confirm_resend(request, token):
    services.confirmation_resend(token=token)
    return render(request, "signatures/confirm_resent.html")


def _managed_signature(token):
    try:
        signature = services.signature_from_manage_token(token)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return None
    _speak_signers_language(signature)
    return signature


@leave_no_trace
def manage(request, token):
    """The signer's private page: what is stored, download, withdraw, erase."""
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if signature.state == Signature.State.ERASED:
        return render(request, "signatures/erased.html", {"petition": signature.petition})
    return render(request, "signatures/manage.html", _manage_context(signature, token))


def _manage_context(signature, token, **extra):
    # The page masks the address: it is the one thing here a glance could leak.
    return {"signature": signature, "petition": signature.petition, "token": token,
            "email_masked": masked_email(signature.email), "erase_error": False,
            "receipt": _receipt(signature) if signature.confirmed_by_signer else "",
            "withdraw_error": False, **extra}


@leave_no_trace
def manage_data(request, token):
    signature = _managed_signature(token)
    if signature is None or signature.state == Signature.State.ERASED:
        raise Http404
    response = JsonResponse(services.signature_data(signature), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-signature.json"'
    return response


@same_site_post("signatures/cross_site.html")
@leave_no_trace
def withdraw(request, token):
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if not request.POST.get("confirm"):
        context = _manage_context(signature, token, withdraw_error=True)
        return render(request, "signatures/manage.html", context, status=400)
    signature.withdraw()
    return redirect("signatures:manage", token=token)


@same_site_post("signatures/cross_site.html")
@leave_no_trace
def receipt_email(request, token):
    """The signer asks for their receipt by e-mail: at most once an hour."""
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if not signature.confirmed_by_signer or not signature.email:
        return redirect("signatures:manage", token=token)
    if cache.add(f"receipt-mail:{signature.pk}", True, 3600):
        tasks.send_receipt.enqueue(signature.pk)
    return render(request, "signatures/manage.html",
                  _manage_context(signature, token, receipt_sent=True))


@same_site_post("signatures/cross_site.html")
@leave_no_trace
def erase(request, token):
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if not request.POST.get("confirm"):
        context = _manage_context(signature, token, erase_error=True)
        return render(request, "signatures/manage.html", context, status=400)
    signature.erase()
    return redirect("signatures:manage", token=token)
