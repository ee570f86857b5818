"""Which petitions an organiser may see or change: those of their organisations, by role."""

from django.http import Http404

from chorus.organisers.models import Role
from chorus.organisers.permissions import membership_for, require_role
from chorus.petitions.models import Petition


def petition_for_member(user, slug: str, role: str = Role.VIEWER):
    """(petition, membership) if the user has the role in its organisation; 404 / 403 otherwise."""
    petition = Petition.objects.select_related("organisation").filter(slug=slug).first()
    if petition is None:
        raise Http404
    return petition, require_role(membership_for(user, petition.organisation), role)
