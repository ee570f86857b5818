"""Organisers write their petitions here, and move them through review to signing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chorus.lib.forms import posted_form, saving
from chorus.lib.http import allow_methods, form_data, require_post
from chorus.organisers.models import Role
from chorus.organisers.permissions import organisations_for
from chorus.petitions import services
from chorus.petitions.manage.forms import OpeningForm, PetitionForm
from chorus.petitions.permissions import petition_for_member


def _render_form(request, form, *, petition=None, status=None):
    previewing = request.method == "POST" and request.POST.get("action") == "preview"
    context = {
        "form": form,
        "petition": petition,
        "preview": form.preview() if previewing else None,
        **form.image_preview(previewing=previewing),
    }
    status = status or (400 if form.errors else 200)
    return render(request, "petitions/manage/form.html", context, status=status)


@login_required
def create(request):
    if not organisations_for(request.user, Role.EDITOR).exists():
        return render(request, "petitions/manage/no_organisation.html")
    # The dashboard's "Start a petition" link names the organisation.
    chosen = request.GET.get("organisation")
    form = posted_form(request, PetitionForm, user=request.user,
                       initial={"organisation": chosen} if chosen else None)
    if saving(request, form):
        try:
            petition = services.petition_create(
                actor=request.user, organisation=form.cleaned_data["organisation"],
                **form.petition_fields(),
            )
        except ValidationError as error:
            form.add_error("slug" if error.code == "slug_taken" else None, error.messages)
        except OSError:  # the picture could not be written; the row was rolled back
            form.image_not_stored()
            return _render_form(request, form, status=503)
        else:
            form.discard_kept_image()
            messages.success(request, _("Your draft is saved. Submit it for review when it "
                                        "is ready."))
            return redirect("petitions:manage:detail", slug=petition.slug)
    return _render_form(request, form)


@login_required
def edit(request, slug):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    form = posted_form(request, PetitionForm, user=request.user, petition=petition)
    if saving(request, form):
        try:
            petition = services.petition_edit(
                petition=petition, actor=request.user, changes=form.petition_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        except OSError:  # the picture could not be written; the change was rolled back
            form.image_not_stored()
            return _render_form(request, form, petition=petition, status=503)
        else:
            form.discard_kept_image()
            messages.success(request, _("Your changes are saved."))
            return redirect("petitions:manage:detail", slug=petition.slug)
    return _render_form(request, form, petition=petition)


@login_required
def detail(request, slug):
    petition, membership = petition_for_member(request.user, slug, Role.VIEWER)
    context = {
        "petition": petition,
        "membership": membership,
        "can_edit": membership.allows(Role.EDITOR),
    }
    return render(request, "petitions/manage/detail.html", context)


def _move(request, slug: str, service, done: str):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    try:
        service(petition=petition, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("petitions:manage:detail", slug=petition.slug)


@login_required
@require_post
def submit(request, slug):
    return _move(request, slug, services.petition_submit,
                 _("Submitted for review. The moderators will look at it soon."))


def _confirm_page(request, slug: str, action: str):
    """GET: the page that asks before an action nobody can take back (works without JS)."""
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    return render(request, "petitions/manage/confirm.html",
                  {"petition": petition, "action": action})


@login_required
@allow_methods("GET", "POST")
def close(request, slug):
    if request.method == "GET":
        return _confirm_page(request, slug, "close")
    return _move(request, slug, services.petition_close,
                 _("The petition is closed: nobody can sign it any more."))


@login_required
@allow_methods("GET", "POST")
def victory(request, slug):
    if request.method == "GET":
        return _confirm_page(request, slug, "victory")
    return _move(request, slug, services.petition_victory_declare,
                 _("Victory is declared on the petition's page. Congratulations!"))


@login_required
@allow_methods("GET", "POST")
def opening(request, slug):
    """Set or clear the time the petition goes public (before it does)."""
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    clearing = request.POST.get("action") == "clear"
    form = OpeningForm(None if request.method == "GET" or clearing else form_data(request),
                       initial={"opens_at": petition.opens_at})
    if request.method == "POST" and (clearing or form.is_valid()):
        try:
            services.petition_opening_schedule(
                petition=petition, actor=request.user,
                at=None if clearing else form.cleaned_data["opens_at"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The opening time is cleared.") if clearing
                             else _("The opening time is saved."))
            return redirect("petitions:manage:detail", slug=petition.slug)
    status = 400 if form.errors else 200
    return render(request, "petitions/manage/opening.html",
                  {"petition": petition, "form": form}, status=status)


@login_required
@allow_methods("GET", "POST")
def pause(request, slug):
    if request.method == "GET":
        return _confirm_page(request, slug, "pause")
    return _move(request, slug, services.petition_pause,
                 _("Signing is paused. The page stays public; resume when you are ready."))


@login_required
@allow_methods("GET", "POST")
def resume(request, slug):
    if request.method == "GET":
        return _confirm_page(request, slug, "resume")
    return _move(request, slug, services.petition_resume,
                 _("Signing has resumed."))
