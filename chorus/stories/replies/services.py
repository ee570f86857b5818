"""Replies under stories: writing one, and moderating them."""

import datetime

from django.db import transaction
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.lib.digests import email_digest, ip_digest
from chorus.stories.models import Reply, Story

# Not a setting: it only decides which replies wait for a moderator, never
# which are refused, so no site needs to tune it.
REPLY_LIMIT_PER_HOUR = 5

MODERATION_ACTIONS = {
    Reply.State.APPROVED: "reply.approve",
    Reply.State.REJECTED: "reply.reject",
    Reply.State.SPAM: "reply.spam",
}


def reply_is_over_limit(*, email_hash: str, ip_hash: str, now: datetime.datetime) -> bool:
    """True if this author or address wrote REPLY_LIMIT_PER_HOUR replies in the last hour."""
    recent = Reply.objects.filter(created_at__gt=now - datetime.timedelta(hours=1))
    if recent.filter(email_digest=email_hash).count() >= REPLY_LIMIT_PER_HOUR:
        return True
    return bool(ip_hash) and recent.filter(ip_digest=ip_hash).count() >= REPLY_LIMIT_PER_HOUR


def reply_create(
    *,
    story: Story,
    name: str,
    email: str,
    body: str,
    website: str = "",
    parent: Reply | None = None,
    ip: str = "",
    language: str = "",
) -> Reply:
    """Store a reader's reply: public at once for a known author, else after moderation.

    A flood is held for a moderator rather than refused, so the author sees
    the same answer either way. Two replies racing past the count can at worst
    publish one extra reply of an author already approved before.
    """
    now = timezone.now()
    email_hash = email_digest(email)
    ip_hash = ip_digest(ip)
    known_author = Reply.objects.filter(
        email_digest=email_hash, state=Reply.State.APPROVED
    ).exists()
    held = reply_is_over_limit(email_hash=email_hash, ip_hash=ip_hash, now=now)
    approved = known_author and not held
    reply = Reply.objects.create(
        story=story, parent=parent, name=name, email=email, email_digest=email_hash,
        website=website, body=body, ip_digest=ip_hash, language=language[:16],
        state=Reply.State.APPROVED if approved else Reply.State.PENDING, created_at=now,
    )
    if approved:
        _story_touch(story.pk, now)
    return reply


def _story_touch(story_id: int, now: datetime.datetime) -> None:
    # The story page is cached by its last change: a reply shown or hidden is one.
    Story.objects.filter(pk=story_id).update(updated_at=now)


@transaction.atomic
def reply_moderate(*, reply: Reply, moderator, state: str) -> Reply:
    """Approve, reject or mark a reply as spam, and record who did it."""
    action = MODERATION_ACTIONS[Reply.State(state)]
    now = timezone.now()
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    previous = reply.state
    reply.state = state
    reply.moderated_at = now
    reply.moderated_by = moderator
    reply.save(update_fields=["state", "moderated_at", "moderated_by"])
    # Neither the address nor the IP: the audit log is read by every moderator.
    audit_record(actor=moderator, action=action, target=reply, story=reply.story_id,
                 previous=previous)
    _story_touch(reply.story_id, now)
    return reply


@transaction.atomic
def replies_moderate(*, replies, moderator, state: str) -> int:
    """The same decision for many replies at once; the number decided."""
    decided = 0
    for reply in replies:
        reply_moderate(reply=reply, moderator=moderator, state=state)
        decided += 1
    return decided
