"""Reading stories: who may edit which, and what readers see."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from chorus.organisers.models import Membership, Organisation, Role
from chorus.organisers.permissions import membership_for, organisations_for
from chorus.petitions.models import Petition
from chorus.stories.models import Story

RELATED_STORIES = 4


def story_for_member(user, slug: str, role: str = Role.EDITOR) -> tuple[Story, Membership | None]:
    """(story, membership) if the user may work on it; 404 / 403 otherwise.

    Staff may work on every story (membership None), and they alone on
    site-wide stories, which have no organisation. Like petitions, a story
    of someone else's organisation is a 404, so drafts stay unknown.
    """
    story = Story.objects.select_related("organisation").filter(slug=slug).first()
    if story is None:
        raise Http404
    if user.is_staff:
        return story, None
    if story.organisation is None:
        raise Http404
    membership = membership_for(user, story.organisation)
    if membership is None:
        raise Http404
    if not membership.allows(role):
        raise PermissionDenied
    return story, membership


def organisations_writing_for(user) -> QuerySet[Organisation]:
    """The organisations the user may write stories for (every one, for staff)."""
    if user.is_staff:
        return Organisation.objects.all()
    return organisations_for(user, Role.EDITOR)


def may_write_stories(user) -> bool:
    return user.is_staff or organisations_for(user, Role.EDITOR).exists()


def stories_for_organiser(user) -> QuerySet[Story]:
    """Every story of the user's organisations, drafts included; staff see all."""
    stories = Story.objects.select_related("organisation").order_by(
        "state", "-published_at", "-updated_at"
    )
    if user.is_staff:
        return stories
    return stories.filter(organisation__in=organisations_for(user, Role.VIEWER))


def linkable_petitions() -> QuerySet[Petition]:
    """Petitions a story may point readers to: those anyone may read."""
    return Petition.objects.visible().order_by("title")


def _public_petitions() -> Prefetch:
    # A petition taken down after a story linked it disappears from the story too.
    return Prefetch(
        "petitions",
        queryset=Petition.objects.visible().select_related("organisation")
        .prefetch_related("translations").order_by("-signature_count"),
    )


def published_stories() -> QuerySet[Story]:
    """Published stories, newest first, with what a list shows of them."""
    return (
        Story.objects.published().select_related("organisation")
        .prefetch_related("tags", "translations").order_by("-published_at", "-id")
    )


def public_story_or_404(slug: str) -> Story:
    story = (
        Story.objects.published().select_related("organisation")
        .prefetch_related("tags", "translations", _public_petitions())
        .filter(slug=slug).first()
    )
    if story is None:
        raise Http404
    return story


def related_stories(story: Story, limit: int = RELATED_STORIES) -> list[Story]:
    """Other published stories sharing most tags or linked petitions, then the newest."""
    tag_ids = [tag.pk for tag in story.tags.all()]
    petition_ids = [petition.pk for petition in story.petitions.all()]
    if not tag_ids and not petition_ids:
        return []
    return list(
        Story.objects.published().exclude(pk=story.pk)
        .annotate(shared=Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
                  + Count("petitions", filter=Q(petitions__in=petition_ids), distinct=True))
        .filter(shared__gt=0)
        .prefetch_related("translations")
        .order_by("-shared", "-published_at", "-id")[:limit]
    )
