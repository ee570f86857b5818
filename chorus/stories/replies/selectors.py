"""Reading replies: the public thread under a story, and the moderators' queue."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from chorus.stories.models import Reply, Story
from chorus.stories.replies.services import REPLY_LIMIT_PER_HOUR


@dataclass(frozen=True)
class Thread:
    replies: list[Reply]  # approved replies to the story, each with .shown_answers
    count: int  # every reply shown, answers included


def reply_thread(story: Story) -> Thread:
    """What the public sees: approved replies oldest first, approved answers beneath.

    Two queries whatever the number of replies. An answer to a reply that was
    hidden later is hidden with it.
    """
    answers = Reply.objects.filter(state=Reply.State.APPROVED).order_by("created_at", "id")
    replies = list(
        Reply.objects.filter(story_id=story.pk, parent__isnull=True, state=Reply.State.APPROVED)
        .order_by("created_at", "id")
        .defer("email", "ip_digest", "email_digest")
        .prefetch_related(Prefetch("answers", queryset=answers.defer(
            "email", "ip_digest", "email_digest"), to_attr="shown_answers"))
    )
    count = len(replies) + sum(len(reply.shown_answers) for reply in replies)
    return Thread(replies=replies, count=count)


def _recent_count(field: str) -> Subquery:
    """Replies by the same author (or from the same address) in the hour before this one."""
    earlier = (
        Reply.objects.filter(
            **{field: OuterRef(field)},
            created_at__lt=OuterRef("created_at"),
            created_at__gte=OuterRef("created_at") - datetime.timedelta(hours=1),
        )
        .exclude(**{field: ""})
        .order_by()
        .values(field)
        .annotate(number=Count("pk"))
        .values("number")
    )
    return Coalesce(Subquery(earlier), 0)


def replies_awaiting_moderation() -> QuerySet[Reply]:
    """Pending replies, oldest first, each with `held`: kept back by the hourly limit."""
    return (
        Reply.objects.filter(state=Reply.State.PENDING)
        .select_related("story", "parent")
        .annotate(
            recent_by_author=_recent_count("email_digest"),
            recent_from_address=_recent_count("ip_digest"),
        )
        .annotate(held=ExpressionWrapper(
            Q(recent_by_author__gte=REPLY_LIMIT_PER_HOUR)
            | Q(recent_from_address__gte=REPLY_LIMIT_PER_HOUR),
            output_field=BooleanField(),
        ))
        .order_by("created_at", "id")
    )


def pending_reply_count() -> int:
    return Reply.objects.filter(state=Reply.State.PENDING).count()


def story_replies_for_staff(story: Story) -> QuerySet[Reply]:
    """Every reply to a story, oldest first, for moderators to review again."""
    return (
        Reply.objects.filter(story=story)
        .select_related("parent", "moderated_by")
        .order_by(Coalesce("parent__created_at", "created_at"), Coalesce("parent_id", "id"),
                  F("parent_id").asc(nulls_first=True), "created_at")
    )
