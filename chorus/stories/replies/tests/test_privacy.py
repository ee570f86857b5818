"""A reply author's e-mail address is never published, anywhere, in any form."""

import datetime
from urllib.parse import quote, quote_plus

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from chorus.stories.models import Reply, Story, Tag
from chorus.stories.replies.services import reply_create, reply_moderate

ADDRESS = "lena.reader@example.org"
PENDING_ADDRESS = "pavel.pending@example.org"


def leaks(content: bytes, address: str) -> list[str]:
    """The forms of `address` found in a response body."""
    local = address.partition("@")[0]
    forms = {address, quote(address), quote_plus(address), address.replace("@", "&#64;"),
             address.replace("@", "\\u0040"), local}
    return [form for form in forms if form.encode() in content]


@pytest.fixture
def story(petition, moderator):
    story = Story.objects.create(
        title="The court hears the case", slug="the-court-hears-the-case", body="Today.",
        standfirst="The hearing began.", byline="Our reporter",
        state=Story.State.PUBLISHED, published_at=timezone.now() - datetime.timedelta(days=1),
    )
    story.petitions.add(petition)
    story.tags.add(Tag.objects.create(name="court", slug="court"))
    reply = reply_create(story=story, name="Lena", email=ADDRESS, body="Stay strong, all of you.",
                         website="https://lena.example.org", ip="192.0.2.7")
    reply_moderate(reply=reply, moderator=moderator, state=Reply.State.APPROVED)
    answer = reply_create(story=story, parent=reply, name="Lena", email=ADDRESS,
                          body="And thank you.", ip="192.0.2.7")
    assert answer.state == Reply.State.APPROVED  # a known author
    reply_create(story=story, name="Pavel", email=PENDING_ADDRESS, body="Waiting.", ip="::1")
    return story


def public_urls(story, petition) -> dict[str, str]:
    slug = petition.slug
    return {
        "story page": story.get_absolute_url(),
        "story page after replying": f"{story.get_absolute_url()}?replied=1",
        "story list": reverse("stories:list"),
        "tag page": reverse("stories:tag", args=["court"]),
        "petition page": petition.get_absolute_url(),
        "embed": reverse("embeds:embed", args=[slug]),
        "API list": "/api/v1/petitions",
        "API petition": f"/api/v1/petitions/{slug}",
        "API count": f"/api/v1/petitions/{slug}/count",
        "API history": f"/api/v1/petitions/{slug}/history",
        "API updates": f"/api/v1/petitions/{slug}/updates",
        "API milestones": f"/api/v1/petitions/{slug}/milestones",
    }


def test_the_reply_is_public_but_its_authors_address_is_on_no_public_page(
    client, story, petition
):
    story_page = client.get(story.get_absolute_url())
    assert b"Stay strong, all of you." in story_page.content  # the test sees real replies
    assert b"And thank you." in story_page.content
    # Cached and served to every reader: no cookie, no CSRF token.
    assert not story_page.cookies
    assert b"csrfmiddlewaretoken" not in story_page.content

    for label, url in public_urls(story, petition).items():
        response = client.get(url)
        assert response.status_code == 200, label
        for address in (ADDRESS, PENDING_ADDRESS):
            assert not leaks(response.content, address), (label, leaks(response.content, address))
        assert b"Waiting." not in response.content, label


@pytest.mark.parametrize("name", ["stories:feed_rss", "stories:feed_atom"])
def test_the_feeds_carry_no_reply_address(client, story, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        pytest.skip(f"{name} is not routed yet (built by the stories engineer)")

    response = client.get(url)

    assert response.status_code == 200
    assert b"The court hears the case" in response.content
    for address in (ADDRESS, PENDING_ADDRESS):
        assert not leaks(response.content, address)


def test_the_address_is_not_stored_in_plain_text(story):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM stories_reply")
        rows = cursor.fetchall()

    assert len(rows) == 3
    stored = repr(rows)
    assert "Stay strong, all of you." in stored  # the query reads the real rows
    for address in (ADDRESS, PENDING_ADDRESS):
        assert address not in stored
        assert address.partition("@")[0] not in stored
    assert "192.0.2.7" not in stored


def test_the_moderators_queue_does_not_show_the_address_either(client, story, moderator):
    client.force_login(moderator)

    for url in (reverse("moderation:replies:queue"),
                reverse("moderation:replies:story", args=[story.slug])):
        response = client.get(url)
        assert response.status_code == 200
        assert b"Waiting." in response.content or b"Stay strong" in response.content
        assert not leaks(response.content, PENDING_ADDRESS)
        assert not leaks(response.content, ADDRESS)
