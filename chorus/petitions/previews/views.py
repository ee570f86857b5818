"""Organisers' preview links: made (the token shown once), listed and revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from chorus.lib.http import allow_methods, form_data, require_post
from chorus.organisers.models import Role
from chorus.petitions.permissions import petition_for_member
from chorus.petitions.previews.forms import PreviewLinkForm
from chorus.petitions.previews.services import preview_link_create, preview_link_revoke


@login_required
@allow_methods("GET", "POST")
def preview_list(request, slug):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    form = PreviewLinkForm(form_data(request) if request.method == "POST" else None)
    created = token = None
    if form.is_valid():
        try:
            # Rendered, not redirected: this answer is the only place the token ever appears.
            created, token = preview_link_create(
                petition=petition, actor=request.user, label=form.cleaned_data["label"],
                days=form.cleaned_data["days"],
            )
            form = PreviewLinkForm()
        except ValidationError as error:
            form.add_error(None, error.messages)
    context = {"petition": petition, "form": form, "created": created, "token": token,
               "links": petition.preview_links.select_related("created_by")}
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "petitions/previews/list.html", context, status=status)


@login_required
@require_post
def preview_revoke(request, slug, pk):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    link = get_object_or_404(petition.preview_links, pk=pk)
    if preview_link_revoke(link=link, actor=request.user):
        messages.success(request, _("The preview link “%(label)s” no longer works.")
                         % {"label": link.label})
    return redirect("petitions:previews:list", slug=petition.slug)
