"""What the moderation pages read: the review queue and the audit log."""

import datetime

from django.conf import settings
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition

RECENTLY_DECIDED = 20


def overdue_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Petitions submitted before this have waited too long for review."""
    return (now or timezone.now()) - datetime.timedelta(hours=settings.CHORUS_REVIEW_DUE_HOURS)


def review_queue(*, now: datetime.datetime | None = None) -> QuerySet:
    """Petitions waiting for review, the longest waiting first, each marked `overdue`."""
    overdue = ExpressionWrapper(Q(submitted_at__lt=overdue_cutoff(now)),
                                output_field=BooleanField())
    return (
        Petition.objects.filter(state=Petition.State.PENDING)
        .select_related("organisation", "created_by")
        .annotate(overdue=overdue)
        .order_by(F("submitted_at").asc(nulls_first=True), "pk")
    )


def overdue_count(*, now: datetime.datetime | None = None) -> int:
    return Petition.objects.filter(
        state=Petition.State.PENDING, submitted_at__lt=overdue_cutoff(now)
    ).count()


def recently_decided() -> QuerySet:
    return (
        Petition.objects.filter(reviewed_at__isnull=False)
        .select_related("organisation", "rejection_reason")
        .order_by("-reviewed_at", "-pk")[:RECENTLY_DECIDED]
    )


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_entries(*, action: str = "", search: str = "") -> QuerySet:
    """The audit log, newest first, narrowed to one action and to a name or object."""
    entries = AuditEntry.objects.order_by("-created_at", "-pk")
    if action:
        entries = entries.filter(action=action)
    if search:
        entries = entries.filter(Q(actor_name__icontains=search) |
                                 Q(target_repr__icontains=search))
    return entries
