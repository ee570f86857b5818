"""Who may do what to an organisation's petitions.

Everything an organiser sees is reached through these: a petition of an
organisation the user is not a member of is a 404 (not a 403), so organiser
URLs do not even reveal which drafts exist.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from chorus.organisers.models import Membership, Organisation, Role
from chorus.petitions.models import Petition


def membership_for(user, organisation: Organisation) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation).first()


def organisations_for(user, role: str = Role.VIEWER):
    """The organisations in which the user has at least this role."""
    from chorus.organisers.models import ROLE_RANK

    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[role]]
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=roles
    ).distinct()


def _require(membership: Membership | None, role: str) -> Membership:
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
    return organisation, _require(membership_for(user, organisation), role)


def petition_for_member(user, slug: str, role: str = Role.VIEWER):
    """(petition, membership) if the user has the role in its organisation; 404 / 403 otherwise."""
    petition = Petition.objects.select_related("organisation").filter(slug=slug).first()
    if petition is None:
        raise Http404
    return petition, _require(membership_for(user, petition.organisation), role)
