"""Staff pages: the review queue, decisions, corrections, responses and the audit log."""


from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chorus.audit.services import actor_label
from chorus.lib.http import allow_methods, form_data, require_post
from chorus.moderation import selectors, services
from chorus.moderation.forms import (
    AuditFilterForm,
    CorrectionForm,
    RejectForm,
    ResponseForm,
    SendBackForm,
    TakeDownForm,
)
from chorus.organisers.permissions import staff_required
from chorus.petitions.models import Petition

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100
REVIEW_IDS = {"reject": "reject-%s", "send_back": "send-back-%s", "take_down": "take-down-%s"}


def _petition(slug: str) -> Petition:
    return get_object_or_404(
        Petition.objects.select_related(
            "organisation", "created_by", "rejection_reason", "takedown_reason", "taken_down_by"
        ),
        slug=slug,
    )


@staff_required
@allow_methods("GET")
def queue(request):
    page = Paginator(selectors.review_queue(), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "overdue_count": selectors.overdue_count(),
        "due_hours": settings.CHORUS_REVIEW_DUE_HOURS,
        "decided": selectors.recently_decided(),
    }
    return render(request, "moderation/queue.html", context)


def _render_review(request, petition, *, reject_form=None, send_back_form=None,
                   take_down_form=None, status=200):
    context = {
        "petition": petition,
        "submitted_by": actor_label(petition.created_by) if petition.created_by else "",
        "taken_down_by": actor_label(petition.taken_down_by) if petition.taken_down_by else "",
        # Three forms on one page with the same field names: ids of their own (REVIEW_IDS).
        "reject_form": reject_form or RejectForm(auto_id=REVIEW_IDS["reject"]),
        "send_back_form": send_back_form or SendBackForm(auto_id=REVIEW_IDS["send_back"]),
        "take_down_form": take_down_form or TakeDownForm(auto_id=REVIEW_IDS["take_down"]),
    }
    return render(request, "moderation/review.html", context, status=status)


@staff_required
@allow_methods("GET")
def review(request, slug):
    return _render_review(request, _petition(slug))


def _decided(request, petition, service, done: str, *, back_to_review: bool = False,
             **arguments):
    try:
        service(petition=petition, moderator=request.user, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("moderation:review", slug=petition.slug)
    messages.success(request, done)
    # A takedown or a restore is not work from the queue: back to the petition.
    if back_to_review:
        return redirect("moderation:review", slug=petition.slug)
    return redirect("moderation:queue")


@staff_required
@require_post
def approve(request, slug):
    return _decided(request, _petition(slug), services.petition_approve,
                    _("Approved: the petition is open for signing, and its organisers are "
                      "told by e-mail."))


@staff_required
@require_post
def reject(request, slug):
    petition = _petition(slug)
    form = RejectForm(form_data(request), auto_id=REVIEW_IDS["reject"])
    if not form.is_valid():
        return _render_review(request, petition, reject_form=form, status=400)
    return _decided(request, petition, services.petition_reject,
                    _("Rejected: the petition will not be published, and its organisers are "
                      "told why by e-mail."),
                    reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])


@staff_required
@require_post
def send_back(request, slug):
    petition = _petition(slug)
    form = SendBackForm(form_data(request), auto_id=REVIEW_IDS["send_back"])
    if not form.is_valid():
        return _render_review(request, petition, send_back_form=form, status=400)
    return _decided(request, petition, services.petition_send_back,
                    _("Sent back: the organisers are asked by e-mail to change the petition."),
                    **form.cleaned_data)


@staff_required
@require_post
def take_down(request, slug):
    petition = _petition(slug)
    form = TakeDownForm(form_data(request), auto_id=REVIEW_IDS["take_down"])
    if not form.is_valid():
        return _render_review(request, petition, take_down_form=form, status=400)
    return _decided(request, petition, services.petition_take_down,
                    _("Taken down: the petition's public page now says it was removed, signing "
                      "has stopped, and its organisers are told why by e-mail."),
                    back_to_review=True, **form.cleaned_data)


@staff_required
@require_post
def restore(request, slug):
    return _decided(request, _petition(slug), services.petition_restore,
                    _("Restored: the petition is public again with all its signatures, and its "
                      "organisers are told by e-mail."), back_to_review=True)


@staff_required
@allow_methods("GET", "POST")
def correct(request, slug):
    petition = _petition(slug)
    form = CorrectionForm.for_petition(
        petition, form_data(request) if request.method == "POST" else None
    )
    if form.is_valid():
        try:
            revision = services.petition_correct(
                petition=petition, moderator=request.user, changes=form.changes(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The correction is saved and shown in the petition's "
                                        "history.") if revision else _("Nothing was changed."))
            return redirect("moderation:review", slug=petition.slug)
    status = 400 if form.errors else 200
    return render(request, "moderation/correct.html", {"petition": petition, "form": form},
                  status=status)


@staff_required
@allow_methods("GET", "POST")
def response(request, slug):
    petition = _petition(slug)
    if request.method == "POST":
        form = ResponseForm(form_data(request))
    else:
        form = ResponseForm(initial={"text": petition.response_text,
                                     "date": petition.response_date})
    if form.is_valid():
        try:
            services.petition_response_record(petition=petition, moderator=request.user,
                                              **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The response is shown on the petition's page."))
            return redirect("moderation:review", slug=petition.slug)
    status = 400 if form.errors else 200
    return render(request, "moderation/response.html", {"petition": petition, "form": form},
                  status=status)


@staff_required
@allow_methods("GET")
def audit(request):
    filters = {key: request.GET[key] for key in ("action", "search") if key in request.GET}
    form = AuditFilterForm(filters or None, actions=selectors.audit_actions())
    valid = form.is_valid() if form.is_bound else True
    entries = selectors.audit_entries(**(form.cleaned_data if form.is_bound and valid else {}))
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/audit.html", {"form": form, "page": page},
                  status=200 if valid else 400)
