from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from chorus.lib.http import client_ip, form_data, is_cross_site, require_post
from chorus.lib.text import masked_email
from chorus.lib.translations import translated
from chorus.petitions.selectors import public_petition_or_404
from chorus.petitions.views import render_petition
from chorus.signatures import services
from chorus.signatures.forms import SignatureForm
from chorus.signatures.models import Signature
from chorus.signatures.proof_of_work import services as proof_of_work


def submit_signature(request, petition) -> SignatureForm | None:
    """Validate a posted sign form and record the signature; the form if invalid.

    Shared by the petition page and the embed, which differ only in what they
    show afterwards.
    """
    data = form_data(request)
    form = SignatureForm(data)
    if not form.is_valid():
        return form
    try:
        held_reason = proof_of_work.held_reason(
            petition=petition, payload=data.get(proof_of_work.FIELD_NAME, "")
        )
    except ValidationError as error:
        form.add_error(None, error)
        return form
    services.signature_create(
        petition_id=petition.pk, **form.cleaned_data, ip=client_ip(request),
        language=get_language() or "", held_reason=held_reason,
    )
    proof_of_work.proof_of_work_check_now_and_then(petition.pk)
    return None


# No CSRF cookie: signing must work on a first visit that sets no cookie and
# inside partners' iframes. The browser's Origin / Sec-Fetch-Site headers show
# whether the form was posted from a page of ours instead.
@csrf_exempt
@require_post
def sign(request, slug):
    if is_cross_site(request):
        return render(request, "signatures/cross_site.html", status=403)
    petition = public_petition_or_404(slug)
    if not petition.is_signable:
        return render(request, "signatures/not_signable.html", {"petition": petition}, status=409)
    invalid = submit_signature(request, petition)
    if invalid is not None:
        return render_petition(request, petition, invalid, status=400)
    # Identical for a first signature, a duplicate and anything else, so the
    # response never tells whether an address has signed.
    return redirect("signatures:thanks", slug=petition.slug)


# Fetched by the widget on petitions that ask for proof of work. Never cached
# (each challenge may be spent once) and it sets no cookie.
@never_cache
def challenge(request):
    if request.method not in ("GET", "HEAD"):
        response = render(request, "405.html", status=405)
        response["Allow"] = "GET"
        return response
    return JsonResponse(proof_of_work.challenge_create())


def thanks(request, slug):
    petition = translated(public_petition_or_404(slug))
    return render(request, "signatures/thanks.html", {"petition": petition})


def confirm(request, token):
    """GET shows a button; only the POST confirms, so mail scanners cannot."""
    if request.method not in ("GET", "POST"):
        response = render(request, "405.html", status=405)
        response["Allow"] = "GET, POST"
        return response
    try:
        signature = services.signature_from_token(token)
    except signing.SignatureExpired:
        return render(request, "signatures/confirm_expired.html", {"token": token}, status=410)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return render(request, "signatures/confirm_invalid.html", status=404)
    if signature.state == Signature.State.INVALIDATED:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if request.method == "POST":
        services.signature_confirm(signature=signature)
    # confirmed_by_signer: a held signature looks confirmed to its signer too.
    template = (
        "signatures/confirmed.html" if signature.confirmed_by_signer
        else "signatures/confirm.html"
    )
    return render(request, template, {"petition": signature.petition, "token": token})


@require_post
def confirm_resend(request, token):
    services.confirmation_resend(token=token)
    return render(request, "signatures/confirm_resent.html")


def _managed_signature(token):
    try:
        return services.signature_from_manage_token(token)
    except (signing.BadSignature, ValueError, Signature.DoesNotExist):
        return None


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
            "email_masked": masked_email(signature.email), "erase_error": False, **extra}


def manage_data(request, token):
    signature = _managed_signature(token)
    if signature is None or signature.state == Signature.State.ERASED:
        raise Http404
    response = JsonResponse(services.signature_data(signature), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-signature.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_post
def withdraw(request, token):
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    signature.withdraw()
    return redirect("signatures:manage", token=token)


@require_post
def erase(request, token):
    signature = _managed_signature(token)
    if signature is None:
        return render(request, "signatures/confirm_invalid.html", status=404)
    if not request.POST.get("confirm"):
        context = _manage_context(signature, token, erase_error=True)
        return render(request, "signatures/manage.html", context, status=400)
    signature.erase()
    return redirect("signatures:manage", token=token)
