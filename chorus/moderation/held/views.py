"""Staff pages for held signatures: see why they were held, release or invalidate them."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chorus.lib.http import allow_methods, form_data, require_post
from chorus.lib.text import masked_email, validate_plain_line
from chorus.organisers.permissions import staff_required
from chorus.signatures import services
from chorus.signatures.models import Signature

HELD_PAGE_SIZE = 100
MAX_DECISIONS = 1000


class HeldFilterForm(forms.Form):
    petition = forms.SlugField(label=_("Petition"), required=False, max_length=100)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=32,
                             validators=[validate_plain_line])


class HeldDecisionForm(HeldFilterForm):
    DECISIONS = {"release": _("Release"), "invalidate": _("Invalidate")}

    decision = forms.ChoiceField(choices=DECISIONS.items(),
                                 error_messages={"required": _("Please choose a decision.")})
    signatures = forms.Field(required=False)

    def __init__(self, data, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.signature_values = data.getlist("signatures")[: MAX_DECISIONS + 1]

    def clean_signatures(self):
        values = self.signature_values
        if not values:
            raise forms.ValidationError(_("Please choose at least one signature."))
        if len(values) > MAX_DECISIONS or not all(
            v.isascii() and v.isdigit() and len(v) <= 18 for v in values
        ):
            raise forms.ValidationError(_("Please choose signatures from the list."))
        return [int(v) for v in values]


def _held(filters: dict):
    held = Signature.objects.filter(state=Signature.State.HELD)
    if filters.get("petition"):
        held = held.filter(petition__slug=filters["petition"])
    if filters.get("reason"):
        held = held.filter(held_reason=filters["reason"])
    return held


def _list_url(filters: dict) -> str:
    query = {key: value for key, value in filters.items() if value}
    return reverse("moderation:held:list") + (f"?{urlencode(query)}" if query else "")


@staff_required
@allow_methods("GET")
def held_list(request):
    form = HeldFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    signatures = _held(filters).select_related("petition").order_by("created_at", "pk")
    page = Paginator(signatures, HELD_PAGE_SIZE).get_page(request.GET.get("page"))
    # Only a masked address leaves this view: the template never sees the address.
    # A sealed signature may have no readable address left: its domain still shows.
    rows = [(signature, masked_email(signature.email) or f"•••@{signature.email_domain}")
            for signature in page.object_list]
    summary = (
        Signature.objects.filter(state=Signature.State.HELD)
        .values("petition__slug", "petition__title", "held_reason")
        .annotate(held=Count("pk"), confirmed=Count("confirmed_at"))
        .order_by("petition__title", "held_reason")
    )
    context = {"form": form, "page": page, "rows": rows, "summary": summary,
               "filters": filters}
    return render(request, "moderation/held/list.html", context, status=200 if valid else 400)


@staff_required
@require_post
def held_decide(request):
    form = HeldDecisionForm(form_data(request))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        filters = {key: form.cleaned_data.get(key, "") for key in ("petition", "reason")}
        return redirect(_list_url(filters))
    ids = form.cleaned_data["signatures"]
    if form.cleaned_data["decision"] == "release":
        done = services.signatures_release(signature_ids=ids, moderator=request.user)
        text = ngettext("%d signature released; it counts once confirmed.",
                        "%d signatures released; they count once confirmed.", done)
    else:
        done = services.signatures_reject_held(signature_ids=ids, moderator=request.user)
        text = ngettext("%d signature invalidated.", "%d signatures invalidated.", done)
    messages.success(request, text % done)
    return redirect(_list_url({key: form.cleaned_data[key] for key in ("petition", "reason")}))
