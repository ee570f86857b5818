from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chorus.lib.fields import EncryptedTextField
from chorus.lib.images import HeroImageField
from chorus.lib.markdown import render_markdown
from chorus.organisers.models import Organisation
from chorus.petitions.models import Petition


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stories:tag", args=[self.slug])


class StoryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=Story.State.PUBLISHED, published_at__lte=timezone.now())


class Story(models.Model):
    """News from the campaign: bylined, with a captioned photo, linked petitions and replies."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # Blank for stories staff publish for the whole site.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="stories",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    standfirst = models.CharField(
        _("standfirst"), max_length=400, blank=True,
        help_text=_("One or two sentences under the title that say what the story is about."),
    )
    body = models.TextField(_("text"), help_text=_("Markdown."))
    byline = models.CharField(_("by"), max_length=200, blank=True)
    image = HeroImageField(_("image"), upload_to="stories/", blank=True)
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)
    image_credit = models.CharField(_("photo credit"), max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="stories", verbose_name=_("tags"))
    petitions = models.ManyToManyField(
        Petition, blank=True, related_name="stories", verbose_name=_("linked petitions"),
    )
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.DRAFT)
    published_at = models.DateTimeField(_("publication date"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=16, default=settings.LANGUAGE_CODE,
    )
    replies_open = models.BooleanField(_("replies open"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        indexes = [models.Index(fields=["state", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.slug])

    def body_html(self):
        return render_markdown(self.body)


class StoryTranslation(models.Model):
    """The story in another language; a blank field falls back to the original's."""

    TRANSLATED_FIELDS = ("title", "standfirst", "body", "image_alt", "image_caption")

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="translations", verbose_name=_("story"),
    )
    language = models.CharField(_("language"), max_length=16)
    title = models.CharField(_("title"), max_length=200)
    standfirst = models.CharField(_("standfirst"), max_length=400, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    image_alt = models.CharField(_("image description"), max_length=300, blank=True)
    image_caption = models.CharField(_("image caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["language"]
        verbose_name = _("story translation")
        verbose_name_plural = _("story translations")
        constraints = [
            models.UniqueConstraint(
                fields=["story", "language"], name="one_story_translation_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.story_id} ({self.language})"


class Reply(models.Model):
    """A reader's reply to a story, public only once a moderator approved it.

    The author's e-mail address is never shown anywhere: it is stored
    encrypted like a signer's, and looked up only by its keyed digest.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting moderation")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    story = models.ForeignKey(
        Story, on_delete=models.CASCADE, related_name="replies", verbose_name=_("story"),
    )
    # One level of answers: a reply to a reply, never deeper.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="answers",
        verbose_name=_("in reply to"),
    )
    name = models.CharField(_("name"), max_length=100)
    email = EncryptedTextField(_("e-mail"))
    email_digest = models.CharField(max_length=64, db_index=True, editable=False)
    website = models.URLField(_("website"), max_length=200, blank=True)
    body = models.TextField(_("reply"))
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.PENDING)
    ip_digest = models.CharField(max_length=64, blank=True, editable=False)
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("moderated by"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [
            models.Index(fields=["story", "state", "created_at"]),
            models.Index(fields=["created_at"], name="reply_awaiting_moderation",
                         condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.story_id}"
