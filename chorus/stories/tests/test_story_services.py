"""The story workflows: slugs, tags, publishing and translations, each audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chorus.audit.models import AuditEntry
from chorus.stories import services
from chorus.stories.models import Story, StoryTranslation, Tag


def test_a_slug_is_made_free_from_the_title(organisation, editor):
    first = services.story_create(actor=editor, organisation=organisation,
                                  title="Court hearing", body="x")
    second = services.story_create(actor=editor, organisation=organisation,
                                   title="Court hearing", body="y")
    assert (first.slug, second.slug) == ("court-hearing", "court-hearing-2")


def test_a_chosen_slug_that_is_taken_is_refused(organisation, editor):
    services.story_create(actor=editor, organisation=organisation, title="A", body="x",
                          slug="hearing")
    with pytest.raises(ValidationError):
        services.story_create(actor=editor, organisation=organisation, title="B", body="y",
                              slug="hearing")
    assert Story.objects.count() == 1


def test_tags_are_made_once_and_reused(organisation, editor):
    story = services.story_create(actor=editor, organisation=organisation, title="A",
                                  body="x", tags=["Court", "Суд"])
    other = services.story_create(actor=editor, organisation=organisation, title="B",
                                  body="y", tags=["court"])
    assert Tag.objects.count() == 2
    assert list(other.tags.all()) == [Tag.objects.get(slug="court")]
    assert {tag.slug for tag in story.tags.all()} == {"court", "суд"}


def test_publishing_sets_the_date_unless_one_is_chosen(organisation, editor):
    now_story = services.story_create(actor=editor, organisation=organisation, title="Now",
                                      body="x")
    later = timezone.now() + datetime.timedelta(days=3)
    scheduled = services.story_create(actor=editor, organisation=organisation, title="Later",
                                      body="x", published_at=later)
    services.story_publish(story=now_story, actor=editor)
    services.story_publish(story=scheduled, actor=editor)
    assert list(Story.objects.published()) == [Story.objects.get(pk=now_story.pk)]
    assert Story.objects.get(pk=scheduled.pk).published_at == later


def test_publishing_twice_is_refused(organisation, editor):
    story = services.story_create(actor=editor, organisation=organisation, title="A", body="x")
    services.story_publish(story=story, actor=editor)
    with pytest.raises(ValidationError):
        services.story_publish(story=story, actor=editor)
    assert AuditEntry.objects.filter(action="story.publish").count() == 1


def test_an_update_records_which_fields_changed(organisation, editor, petition):
    story = services.story_create(actor=editor, organisation=organisation, title="A", body="x")
    services.story_update(story=story, actor=editor, changes={"title": "B", "body": "x"},
                          tags=["court"], petitions=[petition])
    entry = AuditEntry.objects.get(action="story.edit")
    assert entry.details["fields"] == ["title", "tags", "petitions"]


def test_clearing_the_date_of_a_published_story_keeps_it_published(organisation, editor):
    story = services.story_create(actor=editor, organisation=organisation, title="A", body="x")
    services.story_publish(story=story, actor=editor)
    services.story_update(story=story, actor=editor, changes={"published_at": None})
    assert Story.objects.published().count() == 1


def test_a_translation_into_the_original_language_is_refused(organisation, editor):
    story = services.story_create(actor=editor, organisation=organisation, title="A", body="x")
    with pytest.raises(ValidationError):
        services.story_translation_save(story=story, actor=editor, language="en",
                                        fields={"title": "A"})
    assert not StoryTranslation.objects.exists()
