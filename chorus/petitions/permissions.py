"""Which petitions an organiser may see or change: those of their organisations, by role."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from chorus.organisers.models import Role
from chorus.organisers.permissions import membership_for, require_role
from chorus.petitions.models import Partner, Petition


def petition_for_member(user, slug: str, role: str = Role.VIEWER):
    """(petition, membership) if the user has the role in its organisation; 404 / 403 otherwise."""
    petition = Petition.objects.select_related("organisation").filter(slug=slug).first()
    if petition is None:
        raise Http404
    return petition, require_role(membership_for(user, petition.organisation), role)


def partner_for_member(user, slug: str, pk: int, role: str = Role.VIEWER, *,
                       petition_members: bool = True):
    """(partner, membership) for a member of the partner organisation with the role.

    With petition_members, members of the petition's own organisation may see
    it too (as viewers: its figures, never its signers); without, they get a
    403, since they know the partner exists. Anyone else gets a 404.
    """
    partner = (
        Partner.objects.active().select_related("petition__organisation", "organisation")
        .filter(pk=pk, petition__slug=slug).first()
    )
    if partner is None:
        raise Http404
    membership = membership_for(user, partner.organisation)
    if membership is None:
        own = membership_for(user, partner.petition.organisation)
        if own is not None:
            if not petition_members:
                raise PermissionDenied
            return partner, own
    return partner, require_role(membership, role)
