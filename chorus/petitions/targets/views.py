"""Organisers name whom the petition addresses, record the hand-in and each answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chorus.lib.forms import posted_form, saving
from chorus.lib.http import allow_methods, require_post
from chorus.organisers.models import Role
from chorus.petitions.models import HandIn, Target
from chorus.petitions.permissions import petition_for_member
from chorus.petitions.targets import services
from chorus.petitions.targets.forms import AnswerForm, HandInForm, TargetForm


def _target_for_editor(request, slug: str, target_id: int) -> Target:
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    target = get_object_or_404(Target, petition=petition, pk=target_id)
    target.petition = petition
    return target


def _back(petition):
    return redirect("petitions:manage:detail", slug=petition.slug)


def _render(request, template: str, context: dict, form, status=None):
    return render(request, f"petitions/targets/{template}", {**context, "form": form},
                  status=status or (400 if form.errors else 200))


@login_required
@allow_methods("GET", "POST")
def add(request, slug):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    form = posted_form(request, TargetForm)
    if saving(request, form):
        services.target_add(petition=petition, actor=request.user, fields=form.target_fields())
        messages.success(request, _("The target is added."))
        return _back(petition)
    return _render(request, "target_form.html", {"petition": petition}, form)


@login_required
@allow_methods("GET", "POST")
def edit(request, slug, target_id):
    target = _target_for_editor(request, slug, target_id)
    form = posted_form(request, TargetForm, instance=Target.objects.get(pk=target.pk))
    if saving(request, form):
        services.target_edit(target=target, actor=request.user, fields=form.target_fields())
        messages.success(request, _("Your changes are saved."))
        return _back(target.petition)
    return _render(request, "target_form.html", {"petition": target.petition,
                                                  "target": target}, form)


@login_required
@require_post
def move(request, slug, target_id):
    target = _target_for_editor(request, slug, target_id)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    services.target_move(target=target, actor=request.user, direction=direction)
    return redirect(reverse("petitions:manage:detail", args=[target.petition.slug])
                    + "#targets-heading")


@login_required
@allow_methods("GET", "POST")
def remove(request, slug, target_id):
    """GET asks first (without JavaScript): a removed target takes its answer with it."""
    target = _target_for_editor(request, slug, target_id)
    if request.method == "GET":
        return render(request, "petitions/targets/remove.html",
                      {"petition": target.petition, "target": target})
    services.target_remove(target=target, actor=request.user)
    messages.success(request, _("The target is removed."))
    return _back(target.petition)


@login_required
@allow_methods("GET", "POST")
def answer(request, slug, target_id):
    target = _target_for_editor(request, slug, target_id)
    form = posted_form(request, AnswerForm, initial={"text": target.response_text,
                                                     "date": target.response_date})
    if saving(request, form):
        try:
            services.target_answer_record(target=target, actor=request.user,
                                          **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The answer is shown on the petition's page."))
            return _back(target.petition)
    return _render(request, "answer.html", {"petition": target.petition, "target": target},
                   form)


@login_required
@allow_methods("GET", "POST")
def handin(request, slug):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    existing = HandIn.objects.filter(petition=petition).first()
    form = posted_form(request, HandInForm, instance=existing)
    if saving(request, form):
        try:
            _handin, created = services.handin_record(
                petition=petition, actor=request.user, fields=form.handin_fields())
        except ValidationError as error:
            form.add_error(None, error.messages)
        except OSError:  # the photo could not be written; the row was rolled back
            form.image_not_stored()
            return _render(request, "handin.html", {"petition": petition}, form, status=503)
        else:
            messages.success(request, _(
                "The hand-in is recorded. Signers who asked for news will get an e-mail "
                "about it shortly.") if created else _("Your changes are saved."))
            return _back(petition)
    return _render(request, "handin.html", {"petition": petition}, form)
