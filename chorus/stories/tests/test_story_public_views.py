"""Readers find stories in a list and by tag, read them in their language, and sign from them."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation

from chorus.demo.stories import _court_image_bytes
from chorus.petitions.models import Petition, PetitionTranslation, RejectionReason
from chorus.stories.models import Story, StoryTranslation, Tag
from chorus.stories.services import tags_for


def publish(organisation, slug, *, days_ago=1, tags=(), petitions=(), **fields) -> Story:
    fields.setdefault("title", slug.replace("-", " ").capitalize())
    story = Story.objects.create(
        organisation=organisation, slug=slug, body=fields.pop("body", "Text of the story."),
        state=Story.State.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=days_ago), **fields,
    )
    story.tags.set(tags_for(list(tags)))
    story.petitions.set(petitions)
    return story


@pytest.fixture
def story(organisation, petition):
    petition.signature_count = 1234
    petition.save()
    story = publish(
        organisation, "hearing-postponed", title="The hearing is postponed",
        standfirst="The ministry asked for more time.", byline="Lev Aronov",
        body="Supporters waited **outside**.", tags=["court"], petitions=[petition],
        image_alt="A court under a rainbow", image_caption="The Supreme Court.",
        image_credit="Spectrum Alliance",
    )
    story.image.save("court.jpg", ContentFile(_court_image_bytes(400, 200)))
    return story


def page(response) -> str:
    return response.content.decode()


def test_a_reader_sees_the_story_with_its_photo_byline_and_tags(client, story):
    response = client.get("/stories/hearing-postponed/")
    assert response.status_code == 200
    html = page(response)
    assert '<h1 lang="en" dir="auto">The hearing is postponed</h1>' in html
    assert "The ministry asked for more time." in html
    assert "By Lev Aronov" in html
    assert "<strong>outside</strong>" in html
    assert 'alt="A court under a rainbow"' in html
    assert 'width="1200" height="600"' in html  # its space is kept before it loads
    assert "srcset" not in html  # stored without narrower copies: shown alone
    assert "The Supreme Court." in html and "Photo: Spectrum Alliance" in html
    assert f'href="{reverse("stories:tag", args=["court"])}"' in html


def test_each_linked_petition_is_a_card_with_its_count_and_a_sign_link(client, story, petition):
    html = page(client.get(story.get_absolute_url()))
    assert petition.title in html
    assert "1,234 signatures of 100" in html
    assert f'href="{petition.get_absolute_url()}#sign"' in html
    assert "Sign the petition here" in html


def test_a_closed_petition_has_no_sign_link(client, story, petition):
    petition.close()
    html = page(client.get(story.get_absolute_url()))
    assert petition.title in html
    assert "Sign the petition here" not in html


def test_a_petition_taken_down_disappears_from_the_story(client, story, petition, moderator):
    petition.take_down(by=moderator, reason=RejectionReason.objects.first(), note="Duplicate.")
    assert petition.title not in page(client.get(story.get_absolute_url()))


def test_the_page_has_open_graph_and_twitter_metadata(client, story, settings):
    html = page(client.get(story.get_absolute_url()))
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="The hearing is postponed">' in html
    assert f'content="{story.published_at.isoformat()}"' in html
    assert f'<meta property="og:image" content="{settings.SITE_URL}{story.image.url}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_related_stories_share_most_tags_or_petitions_first(client, organisation, story, petition):
    publish(organisation, "same-tag-old", days_ago=9, tags=["court"])
    publish(organisation, "tag-and-petition", days_ago=8, tags=["court"], petitions=[petition])
    publish(organisation, "same-petition-new", days_ago=2, petitions=[petition])
    publish(organisation, "unrelated", days_ago=1, tags=["helpline"])
    draft = Story.objects.create(organisation=organisation, slug="draft", title="A draft",
                                 body="Secret.")
    draft.tags.set(tags_for(["court"]))
    html = page(client.get(story.get_absolute_url()))
    related = html.split("Related stories")[1]
    order = [slug for slug in ("tag-and-petition", "same-petition-new", "same-tag-old")
             if f"/stories/{slug}/" in related]
    assert order == ["tag-and-petition", "same-petition-new", "same-tag-old"]
    assert related.index("/stories/tag-and-petition/") < related.index(
        "/stories/same-petition-new/") < related.index("/stories/same-tag-old/")
    assert "/stories/unrelated/" not in related
    assert "/stories/draft/" not in related


def test_at_most_four_related_stories_are_shown(client, organisation, story):
    for number in range(6):
        publish(organisation, f"court-{number}", tags=["court"])
    related = page(client.get(story.get_absolute_url())).split("Related stories")[1]
    assert related.count('href="/stories/court-') == 4


def test_a_draft_or_scheduled_story_is_not_found(client, organisation):
    Story.objects.create(organisation=organisation, slug="draft", title="Draft", body="x")
    publish(organisation, "scheduled", days_ago=-1)
    assert client.get("/stories/draft/").status_code == 404
    assert client.get("/stories/scheduled/").status_code == 404
    assert client.get("/stories/unknown/").status_code == 404


def test_a_russian_reader_sees_the_translation_with_the_original_where_it_is_blank(
    client, story, petition
):
    StoryTranslation.objects.create(story=story, language="ru", title="Слушание отложено",
                                    standfirst="", body="Сторонники ждали **снаружи**.")
    PetitionTranslation.objects.create(petition=petition, language="ru",
                                       title="Остановите иск", ask="Отзовите иск.")
    html = page(client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru"))
    assert '<h1 lang="ru" dir="auto">Слушание отложено</h1>' in html
    assert '<div class="body" lang="ru" dir="auto"><p>Сторонники ждали <strong>снаружи' in html
    # No Russian standfirst: the original's is shown, and read as English.
    assert 'lang="en" dir="auto">The ministry asked for more time.</p>' in html
    assert 'alt="A court under a rainbow" lang="en"' in html
    assert "Остановите иск" in html
    english = page(client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en"))
    assert '<h1 lang="en" dir="auto">The hearing is postponed</h1>' in english


def test_an_english_story_on_a_russian_page_is_read_in_english(client, story):
    html = page(client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru"))
    assert '<html lang="ru"' in html
    assert '<h1 lang="en" dir="auto">The hearing is postponed</h1>' in html
    assert '<p class="standfirst" lang="en" dir="auto">The ministry' in html
    assert '<div class="body" lang="en" dir="auto">' in html
    assert '<span lang="en" dir="auto">The Supreme Court.</span>' in html
    # The page's own words around the story stay Russian, not marked as English.
    assert '<article class="story">' in html
    with translation.override("ru"):
        assert translation.gettext("Stories") in html


def test_an_anonymous_reader_gets_no_cookie(client, story):
    for url in (story.get_absolute_url(), "/stories/", "/stories/tags/court/",
                "/stories/feed/rss/", "/stories/feed/atom/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
        assert "csrfmiddlewaretoken" not in page(response).split('id="replies"')[0], url


def test_the_story_page_needs_the_same_queries_however_much_it_links(
    client, organisation, story, petition, django_assert_max_num_queries
):
    for number in range(4):
        other = Petition.objects.create(
            organisation=organisation, slug=f"petition-{number}", title=f"Petition {number}",
            target="The government", ask="Act.", body="Now.", goal=10,
        )
        other.open()
        PetitionTranslation.objects.create(petition=other, language="ru", title="Петиция")
        story.petitions.add(other)
        publish(organisation, f"related-{number}", tags=["court", f"tag-{number}"],
                petitions=[other])
        story.tags.add(*tags_for([f"tag-{number}"]))
    StoryTranslation.objects.create(story=story, language="ru", title="Слушание")
    with django_assert_max_num_queries(9):
        response = client.get(story.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    with translation.override("ru"):
        sign_here = translation.gettext("Sign the petition here")
    assert page(response).count(sign_here) == 5


def test_the_list_shows_published_stories_newest_first(client, organisation, story):
    publish(organisation, "older", days_ago=5, title="An older story")
    publish(organisation, "scheduled", days_ago=-1, title="Not yet")
    Story.objects.create(organisation=organisation, slug="draft", title="A draft", body="x")
    html = page(client.get("/stories/"))
    assert html.index("The hearing is postponed") < html.index("An older story")
    assert "Not yet" not in html and "A draft" not in html
    assert "By Lev Aronov" in html
    assert story.image.url in html


def test_the_list_is_paginated(client, organisation, django_assert_max_num_queries):
    for number in range(25):
        publish(organisation, f"story-{number}", days_ago=number + 1, tags=["court"])
    with django_assert_max_num_queries(8):
        first = page(client.get("/stories/"))
    assert first.count('<article class="story-item"') == 20
    second = page(client.get("/stories/?page=2"))
    assert second.count('<article class="story-item"') == 5
    assert client.get("/stories/?page=nonsense").status_code == 200


def test_a_tag_page_lists_its_published_stories(client, organisation, story):
    publish(organisation, "helpline", title="The helpline answers", tags=["helpline"])
    html = page(client.get("/stories/tags/court/"))
    assert "The hearing is postponed" in html
    assert "The helpline answers" not in html
    assert client.get("/stories/tags/nothing/").status_code == 404
    assert client.get("/stories/tags/co%00urt/").status_code == 404


def test_a_tag_in_another_script_has_a_page(client, organisation):
    publish(organisation, "sud", title="Суд", tags=["Суд"])
    tag = Tag.objects.get()
    assert tag.slug == "суд"
    response = client.get(tag.get_absolute_url())
    assert response.status_code == 200
    assert "Суд" in page(response)


def test_the_home_page_shows_recent_stories(client, story):
    html = page(client.get("/"))
    assert "Recent stories" in html
    assert story.get_absolute_url() in html
