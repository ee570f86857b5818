"""The public log of a petition's count, its proofs, and the site's public key.

Everything here is public and cookie-free: a journalist's script needs no
session, and a receipt sent for a proof is neither stored nor logged.
"""

import json

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from chorus.lib.charts import line_chart
from chorus.lib.http import (
    allow_methods,
    client_ip,
    public_data,
    public_json,
    public_page,
    require_post,
)
from chorus.petitions.selectors import petition_in_reader_language, public_petition_or_404
from chorus.signatures.transparency import selectors, services
from chorus.signatures.transparency.forms import ReceiptForm


def _statement_url(slug: str, seq: int) -> str:
    return reverse("signatures:transparency:statement", args=[slug, seq])


@public_page
@allow_methods("GET")
def log(request, slug):
    petition, languages = petition_in_reader_language(public_petition_or_404(slug))
    statements = selectors.statements_of(petition.pk)
    context = {
        "petition": petition, "petition_languages": languages,
        "statements": list(reversed(statements)),
        "chart": line_chart(
            [(statement.published_at, statement.signature_count) for statement in statements],
            title=_("The count in each statement of the log"),
        ),
        "invalidations": selectors.invalidations_of(petition.pk),
        "key": services.public_key_document(),
        "form": ReceiptForm(),
    }
    return render(request, "signatures/transparency/log.html", context)


@public_data
@allow_methods("GET")
def log_json(request, slug):
    petition = public_petition_or_404(slug)
    return public_json(request, {
        "petition": {"id": petition.pk, "slug": petition.slug},
        "signing_key": request.build_absolute_uri(reverse("signatures:transparency:key")),
        "statements": [
            {"number": statement.seq, "kind": statement.kind,
             "time": services.timestamp(statement.published_at),
             "count": statement.signature_count, "root": statement.root,
             "url": request.build_absolute_uri(_statement_url(petition.slug, statement.seq)),
             "leaves": request.build_absolute_uri(
                 reverse("signatures:transparency:leaves", args=[petition.slug, statement.seq]))}
            for statement in selectors.statements_of(petition.pk)
        ],
        "invalidations": [record.as_published() for record in
                          selectors.invalidations_of(petition.pk)],
    })


@public_data
@allow_methods("GET")
def statement(request, slug, seq):
    petition = public_petition_or_404(slug)
    document = selectors.statement_document(petition.pk, seq)
    if document is None:
        raise Http404
    # The bytes exactly as signed: a verifier hashes them as they come.
    response = HttpResponse(document.encode(), content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


@public_data
@allow_methods("GET")
def leaves(request, slug, seq):
    petition = public_petition_or_404(slug)
    if selectors.statement_document(petition.pk, seq) is None:
        raise Http404
    lines = (leaf.hex() + "\n" for leaf in services.snapshot_leaves(petition.pk, seq))
    response = StreamingHttpResponse(lines, content_type="text/plain; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=86400, immutable"
    return response


def _receipt_text(request) -> str | None:
    if request.content_type == "application/json":
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        receipt = payload.get("receipt") if isinstance(payload, dict) else None
        return receipt if isinstance(receipt, str) else None
    return request.POST.get("receipt")


def _wants_html(request) -> bool:
    return request.content_type != "application/json" and "text/html" in request.headers.get(
        "Accept", "")


@csrf_exempt  # changes nothing and sets no cookie; the same answer to everyone
@require_post
def proof(request, slug):
    """The inclusion proof of a receipt in the latest statement.

    A receipt that is not in the tree and one that never existed get the same
    answer; neither is stored or logged.
    """
    petition = public_petition_or_404(slug)
    html = _wants_html(request)
    if not services.proof_check_allowed(ip=client_ip(request)):
        message = _("Too many checks from your connection: try again in a minute.")
        if html:
            return render(request, "signatures/transparency/proof.html",
                          {"petition": petition, "error": message}, status=429)
        return JsonResponse({"error": "rate_limited", "message": message}, status=429)
    form = ReceiptForm({"receipt": _receipt_text(request) or ""})
    found = None
    if form.is_valid():
        found = services.inclusion_proof(petition_id=petition.pk,
                                         receipt_text=form.cleaned_data["receipt"])
    if found is not None:
        found["statement_url"] = request.build_absolute_uri(
            _statement_url(petition.slug, found["statement"]))
    if html:
        status = 200 if found else (400 if not form.is_valid() else 404)
        return render(request, "signatures/transparency/proof.html",
                      {"petition": petition, "proof": found, "form": form}, status=status)
    if not form.is_valid():
        return JsonResponse({"error": "invalid", "message": form.errors["receipt"][0]},
                            status=400)
    if found is None:
        return JsonResponse({"error": "not_found", "message": _(
            "This receipt is not in the latest statement's tree. A signature confirmed in "
            "the last hour is included in the next statement.")}, status=404)
    response = JsonResponse(found)
    response["Cache-Control"] = "no-store"
    return response


@public_data
@allow_methods("GET")
def signing_key(request):
    return public_json(request, services.public_key_document())
