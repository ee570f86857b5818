import datetime

import pytest
from django.db import connection
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.stories.models import Reply, Story
from chorus.stories.replies.services import (
    REPLY_LIMIT_PER_HOUR,
    replies_moderate,
    reply_create,
    reply_moderate,
)

ADDRESS = "lena.reader@example.org"


@pytest.fixture
def story(db):
    return Story.objects.create(
        title="The court hears the case", slug="the-court-hears-the-case", body="Today.",
        state=Story.State.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1),
    )


def write(story, *, email=ADDRESS, ip="192.0.2.7", **fields) -> Reply:
    return reply_create(story=story, name=fields.pop("name", "Lena"), email=email,
                        body=fields.pop("body", "Stay strong."), ip=ip, **fields)


def test_a_new_authors_reply_waits_for_moderation(story):
    reply = write(story, website="https://lena.example.org", language="ru")

    reply.refresh_from_db()
    assert reply.state == Reply.State.PENDING
    assert reply.email == ADDRESS
    assert reply.website == "https://lena.example.org"
    assert reply.language == "ru"
    assert reply.email_digest and reply.ip_digest
    assert "192.0.2.7" not in reply.ip_digest


def test_the_address_is_stored_encrypted(story):
    write(story)

    with connection.cursor() as cursor:
        cursor.execute("SELECT email, email_digest, ip_digest FROM stories_reply")
        stored = cursor.fetchall()
    assert len(stored) == 1
    assert all(ADDRESS not in str(column) and "lena.reader" not in str(column)
               for column in stored[0])


def test_a_known_authors_next_reply_is_published_at_once(story, moderator):
    first = write(story)
    reply_moderate(reply=first, moderator=moderator, state=Reply.State.APPROVED)

    # Another spelling of the same mailbox is the same author.
    second = write(story, email="  Lena.Reader@EXAMPLE.org")

    assert second.state == Reply.State.APPROVED


def test_a_rejected_authors_next_reply_still_waits(story, moderator):
    first = write(story)
    reply_moderate(reply=first, moderator=moderator, state=Reply.State.REJECTED)

    assert write(story).state == Reply.State.PENDING


def test_the_sixth_reply_in_an_hour_from_one_address_is_held_even_for_a_known_author(
    story, moderator
):
    first = write(story, email="first@example.org")
    reply_moderate(reply=first, moderator=moderator, state=Reply.State.APPROVED)
    for number in range(REPLY_LIMIT_PER_HOUR - 1):
        write(story, email=f"other{number}@example.org")

    sixth = write(story, email="first@example.org")

    assert sixth.state == Reply.State.PENDING


def test_the_sixth_reply_in_an_hour_by_one_author_is_held_from_any_address(story, moderator):
    first = write(story, ip="192.0.2.1")
    reply_moderate(reply=first, moderator=moderator, state=Reply.State.APPROVED)
    for number in range(2, REPLY_LIMIT_PER_HOUR + 1):
        assert write(story, ip=f"192.0.2.{number}").state == Reply.State.APPROVED

    assert write(story, ip="198.51.100.9").state == Reply.State.PENDING


def test_replies_older_than_an_hour_do_not_count_towards_the_limit(story, moderator):
    first = write(story)
    reply_moderate(reply=first, moderator=moderator, state=Reply.State.APPROVED)
    for _number in range(REPLY_LIMIT_PER_HOUR):
        write(story)
    Reply.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))

    assert write(story).state == Reply.State.APPROVED


def test_moderating_records_who_decided_and_when_without_the_address(story, moderator):
    reply = write(story)
    Story.objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2))

    reply_moderate(reply=reply, moderator=moderator, state=Reply.State.SPAM)

    reply.refresh_from_db()
    assert reply.state == Reply.State.SPAM
    assert reply.moderated_by == moderator
    assert reply.moderated_at is not None
    entry = AuditEntry.objects.get(action="reply.spam")
    assert entry.actor == moderator
    assert entry.target_id == str(reply.pk)
    assert ADDRESS not in str(entry.details) and "192.0.2.7" not in str(entry.details)
    story.refresh_from_db()
    assert timezone.now() - story.updated_at < datetime.timedelta(minutes=1)


def test_moderating_many_replies_audits_each(story, moderator):
    replies = [write(story, email=f"r{number}@example.org") for number in range(3)]

    decided = replies_moderate(replies=replies, moderator=moderator,
                               state=Reply.State.APPROVED)

    assert decided == 3
    assert Reply.objects.filter(state=Reply.State.APPROVED).count() == 3
    assert AuditEntry.objects.filter(action="reply.approve").count() == 3
