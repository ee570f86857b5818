from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chorus.lib.http import allow_methods, form_data, require_post
from chorus.organisers import services
from chorus.organisers.forms import (
    InviteForm,
    MemberRemoveForm,
    OrganisationForm,
    RoleForm,
    SignupForm,
)
from chorus.organisers.models import Invitation, Membership, Role
from chorus.organisers.permissions import organisation_for_member
from chorus.organisers.tokens import INVITATION_MAX_AGE

BACKEND = "django.contrib.auth.backends.ModelBackend"


# Accounts


def signup(request):
    token = request.GET.get("invitation", "")
    invitation = services.invitation_from_token(token) if token else None
    if token and invitation is None:
        return render(request, "organisers/invitation_invalid.html", status=404)
    if invitation is None and not settings.CHORUS_OPEN_SIGNUP:
        return render(request, "organisers/signup_closed.html", status=403)
    if request.user.is_authenticated:
        if invitation is not None:
            return redirect("organisers:invitation", token=token)
        return redirect("dashboard:home")
    invited_email = invitation.email if invitation else ""
    form = SignupForm(form_data(request) if request.method == "POST" else None,
                      invited_email=invited_email)
    if form.is_valid():
        data = form.cleaned_data
        if invitation is None:
            services.account_create(name=data["name"], email=data["email"],
                                    password=data["password1"], language=get_language())
            return redirect("organisers:signup_done")
        try:
            user = services.account_create_from_invitation(
                invitation=invitation, name=data["name"], password=data["password1"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Welcome! You are now a member of %(organisation)s.")
                             % {"organisation": invitation.organisation.name})
            return redirect("dashboard:home")
    context = {"form": form, "invitation": invitation, "token": token}
    return render(request, "organisers/signup.html", context, status=400 if form.errors else 200)


def signup_done(request):
    return render(request, "organisers/signup_done.html")


def verify(request, token):
    user = services.account_verify(token=token)
    if user is None:
        return render(request, "organisers/verify_invalid.html", status=404)
    login(request, user, backend=BACKEND)
    messages.success(request, _("Your e-mail address is confirmed and your account is active."))
    return redirect("dashboard:home")


# Invitations


def invitation(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "organisers/invitation_invalid.html", status=404)
    if request.method == "POST":
        return accept_invitation(request, invitation, token)
    context = {"invitation": invitation, "token": token}
    return render(request, "organisers/invitation.html", context)


@login_required
def accept_invitation(request, invitation: Invitation, token: str):
    try:
        services.invitation_accept(invitation=invitation, user=request.user)
    except ValidationError:
        return render(request, "organisers/invitation_invalid.html", status=404)
    messages.success(request, _("You are now a member of %(organisation)s.")
                     % {"organisation": invitation.organisation.name})
    return redirect("dashboard:home")


# Dashboard and organisations


@login_required
def organisation_create(request):
    if not services.organisation_creation_allowed(request.user):
        raise PermissionDenied
    form = OrganisationForm(form_data(request) if request.method == "POST" else None)
    if form.is_valid():
        try:
            organisation = services.organisation_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error("slug" if error.code == "slug_taken" else None, error)
        else:
            messages.success(request, _("Your organisation is ready. Invite your team."))
            return redirect("organisers:members", slug=organisation.slug)
    status = 400 if form.errors else 200
    return render(request, "organisers/organisation_form.html", {"form": form}, status=status)


# Members


def render_members(request, organisation, membership, *, invite_form=None, error=None):
    context = {
        "organisation": organisation,
        "membership": membership,
        "can_manage": membership.allows(Role.OWNER),
        "members": organisation.memberships.select_related("user").order_by("user__username"),
        "invitations": organisation.invitations.filter(
            accepted_at__isnull=True,
            created_at__gte=timezone.now() - timedelta(seconds=INVITATION_MAX_AGE),
        ),
        "invite_form": invite_form or InviteForm(),
        "roles": Role.choices,
        "error": error,
    }
    failed = error or (invite_form is not None and invite_form.errors)
    return render(request, "organisers/members.html", context, status=400 if failed else 200)


@login_required
def members(request, slug):
    organisation, membership = organisation_for_member(request.user, slug, Role.VIEWER)
    return render_members(request, organisation, membership)


@login_required
@require_post
def member_invite(request, slug):
    organisation, membership = organisation_for_member(request.user, slug, Role.OWNER)
    form = InviteForm(form_data(request))
    if form.is_valid():
        try:
            services.member_invite(actor=request.user, organisation=organisation,
                                   language=get_language(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _("The invitation is on its way."))
            return redirect("organisers:members", slug=slug)
    return render_members(request, organisation, membership, invite_form=form)


@login_required
@require_post
def member_role(request, slug, pk):
    organisation, membership = organisation_for_member(request.user, slug, Role.OWNER)
    member = get_object_or_404(Membership, pk=pk, organisation=organisation)
    form = RoleForm(form_data(request))
    if not form.is_valid():
        return render_members(request, organisation, membership,
                              error=_("Choose one of the roles."))
    try:
        services.member_role_change(actor=request.user, membership=member,
                                    role=form.cleaned_data["role"])
    except ValidationError as error:
        return render_members(request, organisation, membership, error=error.message)
    messages.success(request, _("The role is changed."))
    return redirect(_after_change(request, slug))


@login_required
@allow_methods("GET", "POST")
def member_remove(request, slug, pk):
    """GET: the page that asks before someone loses access (works without JS)."""
    organisation, membership = organisation_for_member(request.user, slug, Role.OWNER)
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                               organisation=organisation)
    if request.method == "GET" or not MemberRemoveForm(form_data(request)).is_valid():
        return render(request, "organisers/member_remove.html",
                      {"organisation": organisation, "member": member},
                      status=200 if request.method == "GET" else 400)
    try:
        services.member_remove(actor=request.user, membership=member)
    except ValidationError as error:
        return render_members(request, organisation, membership, error=error.message)
    messages.success(request, _("The member is removed."))
    return redirect(_after_change(request, slug))


def _after_change(request, slug: str) -> str:
    # An owner who stepped down or left may no longer act here (or see it).
    if Membership.objects.filter(user=request.user, organisation__slug=slug).exists():
        return reverse("organisers:members", args=[slug])
    return reverse("dashboard:home")


@login_required
@require_post
def invitation_revoke(request, slug, pk):
    organisation, _membership = organisation_for_member(request.user, slug, Role.OWNER)
    invitation = get_object_or_404(
        Invitation, pk=pk, organisation=organisation, accepted_at__isnull=True
    )
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation is withdrawn; its link no longer works."))
    return redirect("organisers:members", slug=slug)
