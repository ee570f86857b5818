import datetime

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from chorus.lib.forms import BOT_TRAP_FIELD
from chorus.stories.models import Reply, Story

ADDRESS = "lena.reader@example.org"
VALID = {"name": "Lena", "email": ADDRESS, "website": "", "body": "Stay strong.\nWe are with you."}


@pytest.fixture
def story(db):
    return Story.objects.create(
        title="The court hears the case", slug="the-court-hears-the-case", body="Today.",
        state=Story.State.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1),
    )


def create_url(story) -> str:
    return reverse("stories:replies:create", args=[story.slug])


def section(story, query: str = "") -> str:
    """The replies part of the story page, as every reader gets it."""
    request = RequestFactory().get(f"/stories/{story.slug}/{query}")
    return render_to_string("stories/replies/_section.html", {"story": story}, request=request)


def approved(story, name: str, body: str, *, parent=None, minutes_ago: int = 10, **fields):
    return Reply.objects.create(
        story=story, parent=parent, name=name, body=body, email=f"{name.lower()}@example.org",
        email_digest=name, state=Reply.State.APPROVED,
        created_at=timezone.now() - datetime.timedelta(minutes=minutes_ago), **fields,
    )


def test_a_reply_waits_for_moderation_and_is_not_shown(client, story):
    response = client.post(create_url(story), VALID)

    assert response.status_code == 303
    assert response["Location"] == f"/stories/{story.slug}/?replied=1#replies"
    reply = Reply.objects.get()
    assert reply.state == Reply.State.PENDING
    assert reply.name == "Lena" and reply.body == "Stay strong.\nWe are with you."
    assert "Stay strong." not in section(story)
    assert "0 replies" in section(story)


def test_after_replying_the_reader_gets_a_neutral_thank_you(client, story):
    client.post(create_url(story), VALID)

    thanked = section(story, "?replied=1")

    assert "Thank you for your reply. It appears once it is approved." in thanked
    assert "Thank you for your reply" not in section(story)


def test_a_known_authors_reply_gets_the_same_answer_as_a_new_one(client, story):
    approved(story, "Earlier", "First.")
    Reply.objects.update(email_digest=_digest(ADDRESS))

    response = client.post(create_url(story), VALID)

    assert response.status_code == 303
    assert response["Location"] == f"/stories/{story.slug}/?replied=1#replies"
    assert Reply.objects.filter(state=Reply.State.APPROVED).count() == 2


def _digest(address):
    from chorus.lib.digests import email_digest

    return email_digest(address)


def test_approved_replies_are_shown_oldest_first_with_their_answers_beneath(story):
    older = approved(story, "Amira", "First!", minutes_ago=30)
    approved(story, "Boris", "Second.", minutes_ago=20, website="https://boris.example.org")
    approved(story, "Chen", "An answer to Amira.", parent=older, minutes_ago=5)
    Reply.objects.create(story=story, parent=older, name="Hidden", body="Not yet.",
                         email="h@example.org", email_digest="h")
    Reply.objects.create(story=story, name="Spammer", body="Buy now.", email="s@example.org",
                         email_digest="s", state=Reply.State.SPAM)

    page = section(story)

    assert "3 replies" in page
    assert page.index("First!") < page.index("An answer to Amira.") < page.index("Second.")
    answers = page[page.index('class="reply-answers"'):page.index("Second.")]
    assert "An answer to Amira." in answers
    assert "Not yet." not in page and "Buy now." not in page
    assert ('<a href="https://boris.example.org" rel="nofollow ugc noopener">Boris</a>'
            in page)


def test_a_reply_is_shown_as_plain_text_with_its_line_breaks(story):
    approved(story, "Mallory", "<script>alert(1)</script>\n**not bold**\n\n<b>hi</b>")

    page = section(story)

    assert "<script>alert(1)" not in page and "<b>hi</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>**not bold**" in page
    assert "&lt;b&gt;hi&lt;/b&gt;" in page


def test_the_form_marks_required_fields_promises_privacy_and_has_no_csrf_token(story):
    page = section(story)

    assert "Leave a reply" in page
    assert "Your e-mail address will never be published." in page
    assert "* required" in page
    assert "csrfmiddlewaretoken" not in page
    assert f'action="{create_url(story)}"' in page
    # The honeypot: hidden from sight, screen readers and the keyboard.
    assert '<p class="bot-trap" aria-hidden="true">' in page
    assert f'name="{BOT_TRAP_FIELD}" type="text" tabindex="-1" autocomplete="off"' in page


def test_each_approved_reply_has_its_own_answer_form_but_answers_have_none(story):
    reply = approved(story, "Amira", "First!")
    answer = approved(story, "Chen", "Answer.", parent=reply)

    page = section(story)

    assert f'name="parent" value="{reply.pk}"' in page
    assert f'name="parent" value="{answer.pk}"' not in page
    assert f'id="answer-{reply.pk}-body"' in page and 'id="reply-body"' in page


def test_closed_replies_show_no_form(story):
    story.replies_open = False
    story.save()

    page = section(story)

    assert "Leave a reply" not in page
    assert "Replies to this story are closed." in page


def test_an_answer_is_stored_beneath_an_approved_reply(client, story):
    reply = approved(story, "Amira", "First!")

    response = client.post(create_url(story), {**VALID, "parent": str(reply.pk)})

    assert response.status_code == 303
    assert Reply.objects.get(name="Lena").parent == reply


@pytest.mark.parametrize("which", ["answer", "pending", "other story", "not a number"])
def test_an_answer_to_an_answer_or_a_hidden_reply_is_refused(client, story, which):
    reply = approved(story, "Amira", "First!")
    parents = {
        "answer": lambda: approved(story, "Chen", "Answer.", parent=reply).pk,
        "pending": lambda: Reply.objects.create(story=story, name="P", body="p", email="p@x.org",
                                                email_digest="p").pk,
        "other story": lambda: approved(Story.objects.create(
            title="Other", slug="other", body="x", state=Story.State.PUBLISHED,
            published_at=timezone.now()), "Dora", "Elsewhere.").pk,
        "not a number": lambda: "1 OR 1=1",
    }
    parent = parents[which]()
    before = Reply.objects.count()

    response = client.post(create_url(story), {**VALID, "parent": str(parent)})

    assert response.status_code == 400
    assert Reply.objects.count() == before
    text = response.content.decode()
    if which == "answer":
        assert "An answer cannot be answered" in text
    else:
        assert "The reply you are answering is no longer shown." in text


def test_a_filled_honeypot_stores_nothing_and_gets_the_same_answer(client, story):
    response = client.post(create_url(story), {**VALID, BOT_TRAP_FIELD: "Cheap pills"})

    assert response.status_code == 303
    assert response["Location"] == f"/stories/{story.slug}/?replied=1#replies"
    assert not Reply.objects.exists()


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
])
def test_a_reply_posted_from_another_site_is_refused(client, story, headers):
    response = client.post(create_url(story), VALID, headers=headers)

    assert response.status_code == 403
    assert "sent from another website" in response.content.decode()
    assert not Reply.objects.exists()


def test_a_reply_posted_from_our_own_page_is_accepted(client, story):
    response = client.post(create_url(story), VALID, headers={"Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 303
    assert Reply.objects.count() == 1


def test_the_reply_address_only_takes_posts(client, story):
    response = client.get(create_url(story))

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.parametrize("change, message", [
    ({"name": ""}, "Please enter your name."),
    ({"email": ""}, "Please enter your e-mail address."),
    ({"body": "   "}, "Please write your reply."),
    ({"email": "not-an-address"}, "Please enter a valid e-mail address"),
    ({"body": "x" * 5001}, "at most 5000 characters"),
    ({"name": "x" * 101}, "at most 100 characters"),
    ({"body": "Hello\x00world"}, "Null characters are not allowed."),
    ({"body": "Hello \u202e world"}, "Please use only letters, numbers"),
    ({"name": "Lena\r\nBcc: all@example.org"}, "Please use only letters, numbers"),
    ({"name": "=HYPERLINK(\"https://evil.example\")"}, "cannot begin with =, +, - or @"),
    ({"name": "@lena"}, "cannot begin with =, +, - or @"),
    ({"name": "Cheap pills www.pills.example"}, "without a web address"),
    ({"website": "javascript:alert(1)"}, "Please enter a web address beginning with https://"),
    ({"website": "ftp://files.example.org"}, "Please enter a web address beginning with https://"),
])
def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(
    client, story, change, message
):
    response = client.post(create_url(story), {**VALID, **change})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Please correct the following:" in response.content.decode()
    assert not Reply.objects.exists()


def test_invalid_utf8_is_refused_not_mangled(client, story):
    body = b"name=L%FFna&email=lena.reader%40example.org&body=Hello"

    response = client.post(create_url(story), body,
                           content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert not Reply.objects.exists()


def test_the_error_page_keeps_what_the_reader_wrote(client, story):
    response = client.post(create_url(story), {**VALID, "email": "", "body": "My long reply."})

    assert "My long reply." in response.content.decode()
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_a_line_break_counts_as_one_character(client, story):
    body = ("x" * 99 + "\r\n") * 50  # 5,000 characters as the browser counts them

    response = client.post(create_url(story), {**VALID, "body": body.strip()})

    assert response.status_code == 303
    assert "\r" not in Reply.objects.get().body


def test_a_draft_story_takes_no_replies(client, story):
    Story.objects.filter(pk=story.pk).update(state=Story.State.DRAFT)

    response = client.post(create_url(story), VALID)

    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_a_story_with_replies_closed_takes_none(client, story):
    Story.objects.filter(pk=story.pk).update(replies_open=False)

    response = client.post(create_url(story), VALID)

    assert response.status_code == 409
    assert "no longer accepts replies" in response.content.decode()
    assert not Reply.objects.exists()


def test_a_reader_replies_and_the_reply_appears_once_a_moderator_approves(
    client, story, moderator
):
    story_url = story.get_absolute_url()
    response = client.post(create_url(story), {**VALID, "website": "lena.example.org"})
    assert "Stay strong." not in client.get(response["Location"]).content.decode()

    client.force_login(moderator)
    queue = client.get(reverse("moderation:replies:queue")).content.decode()
    assert "Stay strong." in queue
    reply = Reply.objects.get()
    client.post(reverse("moderation:replies:decide", args=[reply.pk]), {"state": "approved"})
    client.logout()

    page = client.get(story_url).content.decode()
    assert "1 reply" in page
    assert "Stay strong.<br>We are with you." in page
    assert '<a href="https://lena.example.org" rel="nofollow ugc noopener">Lena</a>' in page


def test_the_thread_costs_the_same_queries_however_many_replies(
    story, django_assert_max_num_queries
):
    for number in range(5):
        reply = approved(story, f"Reader{number}", f"Reply {number}.")
        approved(story, f"Answerer{number}", f"Answer {number}.", parent=reply)

    with django_assert_max_num_queries(2):
        page = section(story)

    assert "10 replies" in page
