"""Organisers' pages for paper signatures: viewers may look, editors and owners enter.

Every page shows signers' data typed from the sheets, or leads to it: all
private, never stored by a browser or proxy (the cache-headers middleware).
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django_countries import countries

from chorus.lib.http import allow_methods, form_data, require_post, require_safe
from chorus.organisers.models import Role
from chorus.petitions.permissions import petition_for_member
from chorus.signatures.models import PaperBatch
from chorus.signatures.paper import services
from chorus.signatures.paper.forms import (
    CSV_COLUMNS,
    CSV_MAX_BYTES,
    BatchForm,
    CorrectionFormSet,
    CsvImportForm,
    row_formset,
)
from chorus.signatures.paper.models import MAX_ROWS, ROWS_PER_PAGE
from chorus.signatures.paper.selectors import paper_anomalies
from chorus.signatures.paper.sheet import sign_sheet_pdf

REFUSALS = {
    "state": _("This entry cannot be written now: see the batch's state below."),
    "same_person": _("You typed the first entry of this batch: someone else must type the "
                     "second and verify it."),
    "someone_else": _("Another member is typing this entry; only they can continue it."),
}


def _batch_for(request, slug: str, code: str, role: str = Role.VIEWER) -> PaperBatch:
    return _batch_and_membership(request, slug, code, role)[0]


def _batch_and_membership(request, slug: str, code: str, role: str = Role.VIEWER):
    petition, membership = petition_for_member(request.user, slug, role)
    batch = get_object_or_404(petition.paper_batches.select_related("petition"), code=code)
    return batch, membership


def _to_batch(batch: PaperBatch):
    return redirect("signatures:paper:batch", slug=batch.petition.slug, code=batch.code)


@login_required
@require_safe
def batches(request, slug: str):
    petition, membership = petition_for_member(request.user, slug)
    return render(request, "signatures/paper/batches.html", {
        "petition": petition, "membership": membership,
        "batches": petition.paper_batches.all(),
    })


@login_required
@never_cache
@allow_methods("GET", "POST")
def batch_create(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    form = BatchForm(form_data(request) if request.method == "POST" else None,
                     organisation=petition.organisation)
    if form.is_valid():
        batch = services.batch_create(petition=petition, actor=request.user, **form.cleaned_data)
        messages.success(request, gettext("Batch %(code)s created. Print its sign sheets.")
                         % {"code": batch.code})
        return _to_batch(batch)
    return render(request, "signatures/paper/batch_create.html",
                  {"petition": petition, "form": form}, status=400 if form.is_bound else 200)


@login_required
@require_safe
def batch(request, slug: str, code: str):
    batch, membership = _batch_and_membership(request, slug, code)
    first, second = batch.entry(1), batch.entry(2)
    editor = membership.allows(Role.EDITOR)
    # The first entry's author, checking again after a send-back, sees where to look.
    sent_back = (batch.state == PaperBatch.State.FIRST_ENTRY and second and second.finished_at
                 and first and first.entered_by_id == request.user.pk)
    return render(request, "signatures/paper/batch.html", {
        "petition": batch.petition, "batch": batch, "first": first, "second": second,
        "may_enter": {n: editor and not services.may_enter(batch=batch, number=n,
                                                           actor=request.user) for n in (1, 2)},
        "editor": editor,
        "differing": [row.position for row in services.batch_compare(batch)]
        if sent_back else [],
    })


@login_required
@require_safe
def sheet(request, slug: str, code: str):
    batch = _batch_for(request, slug, code)
    response = HttpResponse(sign_sheet_pdf(batch), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sign-sheet-{batch.code}.pdf"'
    return response


def _page(request, batch: PaperBatch, number: int) -> int:
    entry = batch.entry(number)
    stored = entry.rows.order_by("-position").values_list("position", flat=True).first() \
        if entry else 0
    last = min(math.ceil(max(batch.expected_rows, stored or 0) / ROWS_PER_PAGE) + 1,
               MAX_ROWS // ROWS_PER_PAGE)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    return min(max(page, 1), last)


def _initial(batch: PaperBatch, number: int, page: int) -> list[dict]:
    entry, start = batch.entry(number), (page - 1) * ROWS_PER_PAGE
    rows = {row.position: row for row in entry.rows.filter(
        position__gt=start, position__lte=start + ROWS_PER_PAGE)} if entry else {}
    return [{"name": r.name, "country": r.country.code if r.country else "", "email": r.email,
             "updates": r.updates} if (r := rows.get(start + i + 1)) else {}
            for i in range(ROWS_PER_PAGE)]


@login_required
@never_cache
@allow_methods("GET", "POST")
def entry(request, slug: str, code: str, number: int):
    batch = _batch_for(request, slug, code, Role.EDITOR)
    if number not in (1, 2):
        raise Http404
    if refused := services.may_enter(batch=batch, number=number, actor=request.user):
        messages.error(request, REFUSALS[refused])
        return _to_batch(batch)
    page = _page(request, batch, number)
    formset = row_formset(form_data(request) if request.method == "POST" else None,
                          initial=_initial(batch, number, page))
    if formset.is_valid():
        start = (page - 1) * ROWS_PER_PAGE
        rows = {start + i + 1: None if form.is_blank else form.cleaned_data
                for i, form in enumerate(formset)}
        services.entry_save_rows(batch=batch, number=number, actor=request.user, rows=rows)
        return _after_saving(request, batch, number, page)
    return render(request, "signatures/paper/entry.html", {
        "petition": batch.petition, "batch": batch, "number": number, "page": page,
        "formset": formset, "first_line": (page - 1) * ROWS_PER_PAGE + 1,
        "countries": countries,
    }, status=400 if formset.is_bound else 200)


def _after_saving(request, batch: PaperBatch, number: int, page: int):
    action = request.POST.get("action")
    if action == "finish":
        services.entry_finish(batch=batch, number=number, actor=request.user)
        messages.success(request, gettext("Entry finished."))
        return _to_batch(batch)
    messages.success(request, gettext("Saved."))
    page = page + 1 if action == "next" else page - 1 if action == "previous" else page
    url = reverse("signatures:paper:entry", args=[batch.petition.slug, batch.code, number])
    return redirect(f"{url}?page={max(page, 1)}")


@login_required
@never_cache
@allow_methods("GET", "POST")
def compare(request, slug: str, code: str):
    batch = _batch_for(request, slug, code, Role.EDITOR)
    if batch.state != PaperBatch.State.COMPARING:
        return _to_batch(batch)
    differing = services.batch_compare(batch)
    formset = CorrectionFormSet(form_data(request) if request.method == "POST" else None,
                                initial=[_correction(row) for row in differing], prefix="fix")
    author = batch.entry(1).entered_by_id == request.user.pk
    if not author and formset.is_valid() and _same_lines(formset, differing):
        done = services.batch_verify(batch=batch, actor=request.user, corrections={
            form.cleaned_data["position"]: None if form.is_blank else form.cleaned_data
            for form in formset})
        _say_verified(request, done)
        return _to_batch(batch)
    return render(request, "signatures/paper/compare.html", {
        "petition": batch.petition, "batch": batch, "rows": list(zip(differing, formset,
                                                                     strict=False)),
        "formset": formset, "author": author, "countries": countries,
    }, status=400 if formset.is_bound else 200)


def _correction(row) -> dict:
    source = row.second or row.first
    return {"position": row.position, "name": source.name, "email": source.email,
            "country": source.country.code if source.country else "",
            "updates": source.updates}


def _same_lines(formset, differing) -> bool:
    # The comparison cannot change while the batch is comparing; a form of other
    # lines is someone's stale or forged page.
    return sorted(form.cleaned_data["position"] for form in formset) == [
        row.position for row in differing]


def _say_verified(request, done) -> None:
    if not done.verified:
        messages.info(request, gettext("This batch had already been verified; it counts once."))
        return
    messages.success(request, ngettext(
        "Verified: %(count)s signature will be counted at the next count.",
        "Verified: %(count)s signatures will be counted at the next count.", done.counted,
    ) % {"count": done.counted})


@login_required
@require_post
def send_back(request, slug: str, code: str):
    batch = _batch_for(request, slug, code, Role.EDITOR)
    try:
        sent = services.batch_send_back(batch=batch, actor=request.user)
    except services.EntryRefused as refusal:
        messages.error(request, REFUSALS[str(refusal)])
        return _to_batch(batch)
    if sent:
        messages.success(request, gettext("Sent back: the first entry's author checks it "
                                          "against the sheets."))
    return _to_batch(batch)


@login_required
@require_safe
def csv_template(request, slug: str):
    petition_for_member(request.user, slug)
    response = HttpResponse(",".join(CSV_COLUMNS) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="paper-batch-template.csv"'
    return response


@csrf_exempt  # checked by csrf_protect below, once the body is known to be small enough
@login_required
@never_cache
@allow_methods("GET", "POST")
def import_csv(request, slug: str, code: str):
    # Refused from its declared size, before the body is read or spooled to disk.
    if request.method == "POST" and _declared_size(request) > CSV_MAX_BYTES + 64 * 1024:
        batch = _batch_for(request, slug, code, Role.EDITOR)
        return render(request, "signatures/paper/import.html", {
            "petition": batch.petition, "batch": batch, "form": CsvImportForm(),
            "too_big": True}, status=413)
    return _import_csv(request, slug, code)


def _declared_size(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _import_csv(request, slug: str, code: str):
    batch = _batch_for(request, slug, code, Role.EDITOR)
    if batch.entry(1) is not None or batch.state != PaperBatch.State.FIRST_ENTRY:
        messages.error(request, gettext("Only a batch with no entry yet can be imported."))
        return _to_batch(batch)
    form = CsvImportForm(form_data(request), request.FILES) \
        if request.method == "POST" else CsvImportForm()
    rows = getattr(form, "rows", None) if form.is_bound and form.is_valid() else None
    invalid = [row for row in rows or [] if row.errors]
    valid = [row.values for row in rows or [] if not row.errors]
    importing = request.POST.get("action") == "import"
    if rows and valid and importing and (not invalid or form.cleaned_data["skip_invalid"]):
        services.batch_import(batch=batch, actor=request.user, rows=valid)
        messages.success(request, ngettext(
            "%(count)s row imported as the first entry; %(left)s left out.",
            "%(count)s rows imported as the first entry; %(left)s left out.", len(valid),
        ) % {"count": len(valid), "left": len(invalid)})
        return _to_batch(batch)
    return render(request, "signatures/paper/import.html", {
        "petition": batch.petition, "batch": batch, "form": form, "rows": rows,
        "invalid": invalid, "valid": len(valid), "importing": importing,
    }, status=400 if form.is_bound and (not rows or (importing and invalid)) else 200)


@login_required
@require_safe
def anomalies(request, slug: str):
    petition, _membership = petition_for_member(request.user, slug)
    return render(request, "signatures/paper/anomalies.html", {
        "petition": petition, "anomalies": paper_anomalies(petition),
    })
