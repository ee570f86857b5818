"""Staff pages against fake signatures: trending flags, bulk invalidation and its undo."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chorus.audit.services import actor_label
from chorus.lib.http import allow_methods, form_data, require_post
from chorus.moderation.abuse import services as abuse_services
from chorus.moderation.abuse.forms import DATETIME_FORMAT, BulkConfirmForm, BulkInvalidationForm
from chorus.moderation.abuse.services import INVALIDATABLE_STATES, MatchChanged
from chorus.moderation.models import SHORT_DIGEST_LENGTH, Flag, InvalidationBatch
from chorus.organisers.permissions import staff_required
from chorus.signatures.models import Block

PAGE_SIZE = 50


def _moment(value: datetime.datetime, *, round_up: bool = False) -> str:
    # The form takes whole seconds: round the window outwards so it loses nothing.
    if round_up and value.microsecond:
        value += datetime.timedelta(seconds=1)
    return timezone.localtime(value).strftime(DATETIME_FORMAT)


def _bulk_url(flag: Flag) -> str:
    """The bulk form, prefilled with what the flag saw, showing its preview."""
    query = [
        ("petition", flag.petition.slug),
        ("ip_digest" if flag.kind == Flag.Kind.IP else "email_domain", flag.value),
        ("signed_from", _moment(flag.window_start)),
        ("signed_to", _moment(flag.window_end, round_up=True)),
        *(("states", state) for state in INVALIDATABLE_STATES),
    ]
    return f"{reverse('moderation:abuse:bulk')}?{urlencode(query)}"


@staff_required
@allow_methods("GET")
def flags(request):
    open_flags = Flag.objects.filter(state=Flag.State.OPEN).select_related("petition")
    page = Paginator(open_flags, PAGE_SIZE).get_page(request.GET.get("page"))
    blocked = set(Block.objects.filter(
        value__in=[flag.value for flag in page.object_list]
    ).values_list("kind", "value"))
    for flag in page.object_list:
        flag.bulk_url = _bulk_url(flag)
        flag.blocked = (flag.kind, flag.value) in blocked  # Flag and Block kinds share values
    return render(request, "moderation/abuse/flags.html", {"page": page})


@staff_required
@require_post
def flag_dismiss(request, pk):
    flag = get_object_or_404(Flag.objects.select_related("petition"), pk=pk)
    if abuse_services.flag_dismiss(flag=flag, moderator=request.user):
        messages.success(request, _("Flag dismissed: %(value)s on %(petition)s.") % {
            "value": flag.short_value, "petition": flag.petition.slug})
    return redirect("moderation:abuse:flags")


@staff_required
@require_post
def flag_block(request, pk):
    flag = get_object_or_404(Flag.objects.select_related("petition"), pk=pk)
    if abuse_services.flag_block(flag=flag, moderator=request.user):
        messages.success(request, _("Blocked: new signatures from %(value)s are held for "
                                    "review.") % {"value": flag.short_value})
    else:
        messages.info(request, _("%(value)s was blocked already.") % {"value": flag.short_value})
    return redirect("moderation:abuse:flags")


def _render_bulk(request, form, *, preview=None, status=200):
    # The confirmation repeats the conditions exactly as they were previewed.
    repeated = [(name, value) for name in BulkInvalidationForm.base_fields if name != "reason"
                for value in form.data.getlist(name)] if form.is_bound else []
    confirm = BulkConfirmForm(initial={"reason": form.data.get("reason", "")} if form.is_bound
                              else None, auto_id="confirm_%s")
    return render(request, "moderation/abuse/bulk.html",
                  {"form": form, "preview": preview, "repeated": repeated,
                   "reason": confirm["reason"]}, status=status)


@staff_required
@allow_methods("GET", "POST")
def bulk(request):
    """GET previews (changes nothing); POST confirms the previewed number."""
    if request.method == "GET":
        form = BulkInvalidationForm(request.GET or None)
        if not form.is_bound:
            return _render_bulk(request, form)
        if not form.is_valid():
            return _render_bulk(request, form, status=400)
        return _render_bulk(request, form, preview=abuse_services.bulk_preview(
            conditions=form.conditions()))
    form = BulkConfirmForm(form_data(request))
    if not form.is_valid():
        return _render_bulk(request, form, status=400)
    try:
        batch = abuse_services.signatures_bulk_invalidate(
            conditions=form.conditions(), moderator=request.user,
            expected=form.cleaned_data["expected"], reason=form.cleaned_data["reason"])
    except MatchChanged as changed:
        messages.warning(request, _("The number of matching signatures changed since the "
                                    "preview. Check the new figures before you confirm."))
        return _render_bulk(request, form, preview=changed.preview, status=409)
    except ValidationError as error:
        form.add_error(None, error)
        return _render_bulk(request, form, status=400)
    messages.success(request, ngettext(
        "%(count)d signature is being invalidated; the count follows within seconds.",
        "%(count)d signatures are being invalidated; the count follows within seconds.",
        batch.matched) % {"count": batch.matched})
    return redirect("moderation:abuse:batches")


def _described(conditions: dict) -> list[tuple[str, str]]:
    """A batch's conditions as a moderator reads them: labels, not keys."""
    fields = BulkInvalidationForm.base_fields
    states = dict(fields["states"].choices)
    described = []
    for key, value in conditions.items():
        if key == "petition" or key not in fields:
            continue
        if key == "ip_digest":
            value = value[:SHORT_DIGEST_LENGTH]
        elif key == "states":
            value = ", ".join(str(states.get(state, state)) for state in value)
        elif key in ("signed_from", "signed_to"):
            value = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
            value = value.strftime("%Y-%m-%d %H:%M:%S UTC")
        described.append((fields[key].label, value))
    return described


@staff_required
@allow_methods("GET")
def batches(request):
    past = InvalidationBatch.objects.select_related("petition", "created_by")
    page = Paginator(past, PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page.object_list:
        batch.by = actor_label(batch.created_by) if batch.created_by else ""
        batch.described = _described(batch.conditions)
    return render(request, "moderation/abuse/batches.html", {"page": page})


@staff_required
@require_post
def undo(request, pk):
    batch = get_object_or_404(InvalidationBatch, pk=pk)
    try:
        restored = abuse_services.invalidation_batch_undo(batch=batch, moderator=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ngettext(
            "Undone: %(count)d signature has its previous state back.",
            "Undone: %(count)d signatures have their previous state back.",
            restored) % {"count": restored})
    return redirect("moderation:abuse:batches")
