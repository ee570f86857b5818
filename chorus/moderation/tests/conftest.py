import datetime

import pytest
from django.utils import timezone

from chorus.petitions.models import Petition

NOTE = "Please name the ministry rather than the minister."


def make_pending(organisation, slug: str, *, created_by=None, hours_ago: float = 1,
                 title: str = "") -> Petition:
    petition = Petition.objects.create(
        organisation=organisation, created_by=created_by, slug=slug,
        title=title or slug.replace("-", " ").capitalize(), target="The Ministry of Justice",
        ask="Drop the charges.", body="The *charges* are absurd.", goal=50,
    )
    petition.submit()
    submitted = timezone.now() - datetime.timedelta(hours=hours_ago)
    Petition.objects.filter(pk=petition.pk).update(submitted_at=submitted)
    petition.refresh_from_db()
    return petition


@pytest.fixture
def pending(organisation, owner, editor):
    """Written by the editor and waiting for review; the organisation's owner is olga."""
    return make_pending(organisation, "release-the-journalists", created_by=editor,
                        title="Release the journalists")
