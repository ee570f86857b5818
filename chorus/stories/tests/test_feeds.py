"""RSS and Atom feeds carry the latest published stories, and nothing readers wrote."""

import datetime

import pytest
from defusedxml import ElementTree as ET
from django.utils import timezone

from chorus.lib.digests import email_digest
from chorus.stories.models import Reply, Story
from chorus.stories.services import tags_for

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def stories(organisation):
    now = timezone.now()
    published = Story.objects.create(
        organisation=organisation, slug="hearing-postponed", title="The hearing is postponed",
        standfirst="The ministry asked for more time.", body="Body text never in the feed.",
        byline="Lev Aronov", state=Story.State.PUBLISHED,
        published_at=now - datetime.timedelta(hours=2),
    )
    published.tags.set(tags_for(["court", "Supreme Court"]))
    Story.objects.create(organisation=organisation, slug="draft", title="A secret draft",
                         body="x")
    Story.objects.create(organisation=organisation, slug="later", title="A scheduled story",
                         body="x", state=Story.State.PUBLISHED,
                         published_at=now + datetime.timedelta(days=1))
    Reply.objects.create(
        story=published, name="Nadia Petrova", email="nadia.petrova@example.org",
        email_digest=email_digest("nadia.petrova@example.org"),
        body="A reply that is not news.", state=Reply.State.APPROVED,
    )
    return published


def test_the_rss_feed_lists_published_stories_only(client, stories, settings):
    response = client.get("/stories/feed/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["The hearing is postponed"]
    item = items[0]
    assert item.findtext("link").endswith("/stories/hearing-postponed/")
    assert item.findtext("description") == "The ministry asked for more time."
    assert sorted(category.text for category in item.findall("category")) == [
        "Supreme Court", "court"]
    assert item.findtext("pubDate")


def test_the_atom_feed_names_the_author_and_the_date(client, stories):
    response = client.get("/stories/feed/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == "The hearing is postponed"
    assert entry.find(f"{ATOM}author").findtext(f"{ATOM}name") == "Lev Aronov"
    assert entry.findtext(f"{ATOM}published").startswith(
        stories.published_at.strftime("%Y-%m-%dT%H:%M"))
    assert sorted(c.get("term") for c in entry.findall(f"{ATOM}category")) == [
        "Supreme Court", "court"]


@pytest.mark.parametrize("url", ["/stories/feed/rss/", "/stories/feed/atom/"])
def test_no_feed_holds_a_reply_a_draft_or_a_body(client, stories, url):
    content = client.get(url).content.decode()
    for secret in ("Nadia", "example.org", "A reply that is not news.", "A secret draft",
                   "A scheduled story", "Body text never in the feed."):
        assert secret not in content


def test_a_feed_holds_the_twenty_latest_stories(client, organisation):
    now = timezone.now()
    for number in range(25):
        Story.objects.create(
            organisation=organisation, slug=f"story-{number}", title=f"Story {number}",
            body="x", state=Story.State.PUBLISHED,
            published_at=now - datetime.timedelta(hours=number + 1),
        )
    channel = ET.fromstring(client.get("/stories/feed/rss/").content).find("channel")
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert titles == [f"Story {number}" for number in range(20)]
