import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.stories.models import Reply, Story
from chorus.stories.replies.services import REPLY_LIMIT_PER_HOUR, reply_create


@pytest.fixture
def story(db):
    return Story.objects.create(
        title="The court hears the case", slug="the-court-hears-the-case", body="Today.",
        state=Story.State.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1),
    )


def write(story, name: str, body: str, *, minutes_ago: int = 0, **fields) -> Reply:
    reply = reply_create(story=story, name=name, email=f"{name.lower()}@example.org", body=body,
                         ip=fields.pop("ip", "192.0.2.7"), **fields)
    if minutes_ago:
        Reply.objects.filter(pk=reply.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))
    return reply


def public_section(story) -> str:
    request = RequestFactory().get(f"/stories/{story.slug}/")
    return render_to_string("stories/replies/_section.html", {"story": story}, request=request)


def decide_url(reply) -> str:
    return reverse("moderation:replies:decide", args=[reply.pk])


@pytest.fixture
def pending_reply(story):
    return write(story, "Lena", "Stay strong.", website="https://lena.example.org")


def test_anonymous_visitors_are_sent_to_log_in(client, story, pending_reply):
    for url in (reverse("moderation:replies:queue"), reverse("moderation:replies:story",
                                                       args=[story.slug])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisers:login"))
    response = client.post(decide_url(pending_reply), {"state": "approved"})
    assert response.status_code == 302
    assert Reply.objects.get().state == Reply.State.PENDING


def test_organisers_who_are_not_staff_are_refused(client, owner, story, pending_reply):
    client.force_login(owner)

    assert client.get(reverse("moderation:replies:queue")).status_code == 403
    assert client.get(reverse("moderation:replies:story", args=[story.slug])).status_code == 403
    assert client.post(decide_url(pending_reply), {"state": "approved"}).status_code == 403
    response = client.post(reverse("moderation:replies:bulk"),
                           {"state": "spam", "replies": [pending_reply.pk]})
    assert response.status_code == 403
    assert Reply.objects.get().state == Reply.State.PENDING


def test_the_queue_lists_pending_replies_oldest_first(staff_client, story):
    write(story, "Newer", "The newer reply.", minutes_ago=5)
    write(story, "Older", "The older reply.", minutes_ago=50, website="https://older.example")
    published = write(story, "Shown", "Already approved.")
    Reply.objects.filter(pk=published.pk).update(state=Reply.State.APPROVED)

    page = staff_client.get(reverse("moderation:replies:queue")).content.decode()

    assert "2 replies are waiting." in page
    assert page.index("The older reply.") < page.index("The newer reply.")
    assert "The court hears the case" in page and "https://older.example" in page
    assert "Already approved." not in page
    assert "older@example.org" not in page


def test_the_queue_flags_replies_held_by_the_hourly_limit(staff_client, story):
    for number in range(REPLY_LIMIT_PER_HOUR):
        write(story, f"Author{number}", f"Reply {number}.")
    write(story, "Flooder", "One too many.")

    page = staff_client.get(reverse("moderation:replies:queue")).content.decode()

    assert page.count("Held: over the hourly limit") == 1
    row = page[page.index("One too many."):]
    assert "Held: over the hourly limit" in row[:row.index("</tr>")]


def test_approving_publishes_the_reply(staff_client, moderator, story, pending_reply, post):
    response = post(decide_url(pending_reply),
                    {"state": "approved", "next": reverse("moderation:replies:queue")})

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:replies:queue")
    pending_reply.refresh_from_db()
    assert pending_reply.state == Reply.State.APPROVED
    assert pending_reply.moderated_by == moderator
    assert "Stay strong." in public_section(story)
    assert AuditEntry.objects.filter(action="reply.approve", actor=moderator).exists()
    followed = staff_client.get(response["Location"]).content.decode()
    assert "Reply by Lena: Approved." in followed
    assert "No reply is waiting for moderation." in followed


def test_marking_a_published_reply_as_spam_hides_it_and_records_who(
    staff_client, moderator, story, pending_reply, post
):
    Reply.objects.filter(pk=pending_reply.pk).update(state=Reply.State.APPROVED)
    story_url = reverse("moderation:replies:story", args=[story.slug])
    assert "Stay strong." in staff_client.get(story_url).content.decode()
    assert "Stay strong." in public_section(story)

    response = post(decide_url(pending_reply), {"state": "spam", "next": story_url})

    assert response["Location"] == story_url
    pending_reply.refresh_from_db()
    assert pending_reply.state == Reply.State.SPAM
    assert pending_reply.moderated_by == moderator
    assert "Stay strong." not in public_section(story)
    assert AuditEntry.objects.get(action="reply.spam").actor == moderator


def test_rejecting_keeps_the_reply_hidden(staff_client, story, pending_reply, post):
    post(decide_url(pending_reply), {"state": "rejected"})

    assert Reply.objects.get().state == Reply.State.REJECTED
    assert "Stay strong." not in public_section(story)


def test_many_replies_can_be_decided_at_once(staff_client, story, post):
    first = write(story, "Amira", "First.")
    second = write(story, "Boris", "Second.")
    third = write(story, "Chen", "Third.")

    response = post(reverse("moderation:replies:bulk"),
                    {"state": "spam", "replies": [first.pk, third.pk]})

    assert response.status_code == 302
    states = dict(Reply.objects.values_list("pk", "state"))
    assert states == {first.pk: "spam", second.pk: "pending", third.pk: "spam"}
    assert "2 replies: Spam." in staff_client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("data, message", [
    ({"state": "spam"}, "Please tick at least one reply."),
    ({"state": "pending", "replies": ["REPLY"]}, "Select a valid choice."),
    ({"state": "approved", "replies": ["abc"]}, "is not a valid value"),
    ({"state": "approved", "replies": ["999999"]}, "Select a valid choice."),
    ({"state": "approved\x00", "replies": ["REPLY"]}, "Select a valid choice."),
])
def test_a_bad_bulk_decision_changes_nothing(staff_client, pending_reply, data, message):
    data = {key: [str(pending_reply.pk) if v == "REPLY" else v for v in value]
            if isinstance(value, list) else value for key, value in data.items()}

    response = staff_client.post(reverse("moderation:replies:bulk"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Reply.objects.get().state == Reply.State.PENDING
    assert not AuditEntry.objects.exists()


def test_a_bad_single_decision_changes_nothing(staff_client, pending_reply):
    response = staff_client.post(decide_url(pending_reply), {"state": "delete"})

    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Reply.objects.get().state == Reply.State.PENDING


def test_deciding_takes_only_posts(staff_client, pending_reply):
    assert staff_client.get(decide_url(pending_reply)).status_code == 405
    assert staff_client.get(reverse("moderation:replies:bulk")).status_code == 405
    assert staff_client.post(reverse("moderation:replies:queue")).status_code == 405


def test_deciding_an_unknown_reply_is_not_found(staff_client, db):
    response = staff_client.post(reverse("moderation:replies:decide", args=[424242]),
                                 {"state": "approved"})

    assert response.status_code == 404


def test_a_decision_never_redirects_to_another_site(staff_client, pending_reply):
    response = staff_client.post(decide_url(pending_reply),
                                 {"state": "approved", "next": "https://evil.example/"})

    assert response["Location"] == reverse("moderation:replies:queue")


def test_the_review_queue_links_to_waiting_replies(staff_client, story):
    write(story, "Amira", "First.")
    write(story, "Boris", "Second.")

    page = staff_client.get(reverse("moderation:queue")).content.decode()

    assert f'href="{reverse("moderation:replies:queue")}"' in page
    assert "Replies (2 waiting)" in page
