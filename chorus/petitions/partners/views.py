"""A petition's partners: the owner's page, the invitation link, each partner's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from chorus.lib.http import allow_methods, form_data, require_post, require_safe
from chorus.organisers.models import Role
from chorus.petitions.models import Partner
from chorus.petitions.partners import services
from chorus.petitions.partners.forms import AcceptForm, ConsentModeForm, PartnerRemoveForm
from chorus.petitions.permissions import partner_for_member, petition_for_member


def _render_partners(request, petition, membership, *, consent_form=None, new_link="",
                     status=200):
    context = {
        "petition": petition,
        "can_manage": membership.allows(Role.OWNER),
        "partners": petition.partners.active().select_related("organisation"),
        "invitations": petition.partners.waiting(),
        "consent_form": consent_form or ConsentModeForm(
            initial={"partner_consent": petition.partner_consent}),
        "new_link": new_link,
    }
    return render(request, "petitions/partners/list.html", context, status=status)


@login_required
@require_safe
def partners(request, slug):
    petition, membership = petition_for_member(request.user, slug, Role.VIEWER)
    return _render_partners(request, petition, membership)


@login_required
@require_post
def invite(request, slug):
    """The link is in this answer only: the server keeps just a digest of its secret."""
    petition, membership = petition_for_member(request.user, slug, Role.OWNER)
    _partner, token = services.partner_invite(actor=request.user, petition=petition)
    link = request.build_absolute_uri(reverse("petitions:partners:accept", args=[token]))
    return _render_partners(request, petition, membership, new_link=link)


@login_required
@require_post
def consent(request, slug):
    petition, membership = petition_for_member(request.user, slug, Role.OWNER)
    form = ConsentModeForm(form_data(request))
    if not form.is_valid():
        return _render_partners(request, petition, membership, consent_form=form, status=400)
    services.partner_consent_set(actor=request.user, petition=petition,
                                 mode=form.cleaned_data["partner_consent"])
    messages.success(request, _("The sign form now shows the partners' consent lines this way."))
    return redirect("petitions:partners:list", slug=slug)


@login_required
@require_post
def revoke(request, slug, pk):
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    invitation = get_object_or_404(Partner, pk=pk, petition=petition, accepted_at__isnull=True)
    services.partner_invitation_revoke(actor=request.user, partner=invitation)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("petitions:partners:list", slug=slug)


@login_required
@allow_methods("GET", "POST")
def remove(request, slug, pk):
    """GET: the page that asks before a partner loses its link and its signers' opt-ins."""
    petition, _membership = petition_for_member(request.user, slug, Role.OWNER)
    partner = get_object_or_404(Partner.objects.active().select_related("organisation"),
                                pk=pk, petition=petition)
    if request.method == "GET" or not PartnerRemoveForm(form_data(request)).is_valid():
        return render(request, "petitions/partners/remove.html",
                      {"petition": petition, "partner": partner},
                      status=200 if request.method == "GET" else 400)
    services.partner_remove(actor=request.user, partner=partner)
    messages.success(request, _("The partner is removed from the petition."))
    return redirect("petitions:partners:list", slug=slug)


@login_required
@require_safe
def detail(request, slug, pk):
    """A partner's page: its link, embed and tally; its export for the partner's owners."""
    partner, membership = partner_for_member(request.user, slug, pk, Role.VIEWER)
    is_partner = membership.organisation_id == partner.organisation_id
    context = {"partner": partner, "petition": partner.petition, "is_partner": is_partner,
               "can_export": is_partner and membership.allows(Role.OWNER)}
    return render(request, "petitions/partners/detail.html", context)


@login_required
@allow_methods("GET", "POST")
def accept(request, token):
    invitation = services.partner_invitation_from_token(token)
    if invitation is None:
        return render(request, "petitions/partners/invitation_invalid.html", status=404)
    organisations = services.organisations_that_may_accept(request.user, invitation.petition)
    form = AcceptForm(form_data(request) if request.method == "POST" else None,
                      organisations=organisations)
    if form.is_valid():
        try:
            partner = services.partner_accept(partner=invitation, user=request.user,
                                              organisation=form.cleaned_data["organisation"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your organisation is now a partner on this petition."))
            return redirect("petitions:partners:detail", slug=invitation.petition.slug,
                            pk=partner.pk)
    context = {"invitation": invitation, "petition": invitation.petition, "form": form,
               "token": token, "can_accept": organisations.exists()}
    return render(request, "petitions/partners/accept.html", context,
                  status=400 if form.errors else 200)
