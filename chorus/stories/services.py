"""Writing, publishing and translating stories."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.images import hero_image_delete
from chorus.lib.slugs import create_with_free_slug, free_slug
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition
from chorus.stories.models import Story, StoryTranslation, Tag

# Room for "-" and a number after a slug made from a title.
SLUG_BASE_LENGTH = 80


def story_slug_for(title: str) -> str:
    """A free slug made from the title: "court-hearing", else "court-hearing-2", …"""
    return free_slug(Story.objects, title, fallback="story", max_length=SLUG_BASE_LENGTH)


def tags_for(names: list[str]) -> list[Tag]:
    """The tags with these names, made as needed; names that differ only in case are one tag."""
    tags = []
    for name in names:
        slug = slugify(name, allow_unicode=True)[:60].strip("-")
        # get_or_create retries the get if another editor made the same tag a moment ago.
        tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:60]})
        tags.append(tag)
    return tags


def _set_relations(story: Story, tags: list[str] | None,
                   petitions: list[Petition] | None) -> list[str]:
    """Set the story's tags and linked petitions; the names of those that changed."""
    changed = []
    if tags is not None:
        chosen = tags_for(tags)
        if {tag.pk for tag in story.tags.all()} != {tag.pk for tag in chosen}:
            story.tags.set(chosen)
            changed.append("tags")
    if petitions is not None:
        if {p.pk for p in story.petitions.all()} != {p.pk for p in petitions}:
            story.petitions.set(petitions)
            changed.append("petitions")
    return changed


def story_create(*, actor, organisation: Organisation | None, slug: str = "",
                 tags: list[str] | None = None, petitions: list[Petition] | None = None,
                 **fields) -> Story:
    """A new draft story, for one of the actor's organisations or (staff) the whole site."""

    def build(free: str) -> Story:
        story = Story(organisation=organisation, created_by=actor, state=Story.State.DRAFT,
                      slug=free, **fields)
        story.full_clean(validate_unique=False)
        return story

    def save(story: Story) -> None:
        story.save()
        _set_relations(story, tags, petitions)
        audit_record(actor=actor, action="story.create", target=story)

    return create_with_free_slug(
        slug=slug, make_slug=lambda: story_slug_for(fields.get("title", "")),
        build=build, save=save,
        taken_message=_("Another story already has this address. Choose another."),
    )


@transaction.atomic
def story_update(*, story: Story, actor, changes: dict, tags: list[str] | None = None,
                 petitions: list[Petition] | None = None) -> Story:
    """The editors' changes to a story, published or not."""
    current = Story.objects.select_for_update().get(pk=story.pk)
    old_image = current.image.name
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    for name in changed:
        setattr(current, name, changes[name])
    if current.state == Story.State.PUBLISHED and current.published_at is None:
        # A published story without a date would vanish from every list.
        current.published_at = timezone.now()
    current.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            current.save()
    except IntegrityError:
        raise ValidationError(
            _("Another story already has this address. Choose another."), code="slug_taken"
        ) from None
    changed += _set_relations(current, tags, petitions)
    audit_record(actor=actor, action="story.edit", target=current, fields=changed)
    if old_image and current.image.name != old_image:
        # A picture taken down is deleted (its narrower copies too), not left reachable
        # at its old address.
        storage = current.image.storage
        transaction.on_commit(lambda: hero_image_delete(old_image, storage=storage))
    return current


@transaction.atomic
def story_publish(*, story: Story, actor) -> Story:
    """Publish now, or at the story's publication date if that is still to come."""
    current = Story.objects.select_for_update().get(pk=story.pk)
    if current.state == Story.State.PUBLISHED:
        raise ValidationError(_("This story is already published."), code="published")
    current.state = Story.State.PUBLISHED
    current.published_at = current.published_at or timezone.now()
    current.save(update_fields=["state", "published_at", "updated_at"])
    audit_record(actor=actor, action="story.publish", target=current,
                 published_at=current.published_at.isoformat())
    return current


@transaction.atomic
def story_unpublish(*, story: Story, actor) -> Story:
    """Take a story back to a draft; its address shows nothing until it is published again."""
    current = Story.objects.select_for_update().get(pk=story.pk)
    if current.state != Story.State.PUBLISHED:
        raise ValidationError(_("This story is not published."), code="not_published")
    current.state = Story.State.DRAFT
    current.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="story.unpublish", target=current)
    return current


@transaction.atomic
def story_translation_save(*, story: Story, actor, language: str,
                           fields: dict) -> StoryTranslation:
    """Add or change the story's text in another language."""
    if language == story.language:
        raise ValidationError(_("This is the language the story is written in."))
    translation, created = StoryTranslation.objects.update_or_create(
        story=story, language=language, defaults=fields,
    )
    audit_record(actor=actor, action="story.translate", target=story, language=language,
                 created=created)
    return translation


@transaction.atomic
def story_translation_delete(*, story: Story, actor, language: str) -> bool:
    deleted, _rows = StoryTranslation.objects.filter(story=story, language=language).delete()
    if deleted:
        audit_record(actor=actor, action="story.translation_delete", target=story,
                     language=language)
    return bool(deleted)
