"""Who may do what to an organisation's petitions.

Everything an organiser sees is reached through these: a petition of an
organisation the user is not a member of is a 404 (not a 403), so organiser
URLs do not even reveal which drafts exist.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404

from chorus.organisers.models import ROLE_RANK, Membership, Organisation, Role


def membership_for(user, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def organisations_for(user, role: str = Role.VIEWER):
    """The organisations in which the user has at least this role."""

    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[role]]
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


def require_role(membership: Membership | None, role: str) -> Membership:
    if membership is None:
        raise Http404
    if not membership.allows(role):
        # A member who lacks the role may know the thing exists: say no plainly.
        raise PermissionDenied
    return membership


def organisation_for_member(user, slug: str, role: str = Role.VIEWER):
    """(organisation, membership) if the user has the role in it; 404 / 403 otherwise."""
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404
    return organisation, require_role(membership_for(user, organisation), role)


def staff_required(view):
    """Anonymous visitors are sent to log in; organisers who are not staff get a 403;
    staff without a verified second factor are asked for their code."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        # chorus.organisers.security.middleware does this for all of /moderation/ already; this
        # also covers staff views mounted anywhere else.
        if getattr(request.user, "otp_device", None) is None:
            return redirect_to_login(request.get_full_path(), "organisers:security:verify")
        return view(request, *args, **kwargs)

    return wrapper
