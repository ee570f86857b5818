from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from chorus.lib.images import HeroImageFormMixin
from chorus.lib.text import validate_plain_line
from chorus.petitions.manage.forms import validate_plain_text
from chorus.stories.models import Story, StoryTranslation
from chorus.stories.selectors import linkable_petitions, organisations_writing_for

MAX_PETITIONS = 5
MAX_TAGS = 10
TAG_MAX_LENGTH = 60

LINE_FIELDS = ("title", "standfirst", "byline", "image_alt", "image_caption", "image_credit")


class StoryForm(HeroImageFormMixin, forms.ModelForm):
    """A story as its editors write it; tags and linked petitions are set by the service."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, to_field_name="slug",
        error_messages={"invalid_choice": _("Choose one of your organisations.")},
    )
    slug = forms.SlugField(
        label=_("Web address"), required=False, max_length=90,
        help_text=_("The last part of the story's address, like court-hearing. "
                    "Leave it empty to make one from the title."),
    )
    published_at = forms.DateTimeField(
        label=_("Publication date (UTC)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave it empty to publish at the moment you press Publish. A date still "
                    "to come schedules the story: it appears on its own at that time."),
        error_messages={"invalid": _("Enter a date and time like 2030-12-31 18:00.")},
    )
    image = forms.FileField(
        label=_("Image"), required=False, widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP picture. We remove the location and camera details "
                    "photos carry, and scale it down to fit the page."),
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=600,
        help_text=_("Separated by commas, like: court, helpline."),
    )
    petitions = forms.ModelMultipleChoiceField(
        label=_("Linked petitions"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        # Lazy with the number's name, so the text is chosen in the reader's language.
        help_text=ngettext_lazy(
            "Up to %(max)s petition. Each is shown at the end of the story with its count "
            "and a link to sign.",
            "Up to %(max)s petitions. Each is shown at the end of the story with its count "
            "and a link to sign.",
            "max",
        ) % {"max": MAX_PETITIONS},
        error_messages={
            "invalid_choice": _("Choose only petitions from the list."),
            "invalid_pk_value": _("Choose only petitions from the list."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES,
        help_text=_("The language the story is written in. Add translations after saving."),
    )

    class Meta:
        model = Story
        fields = [
            "organisation", "title", "slug", "standfirst", "body", "byline", "published_at",
            "image", "image_alt", "image_caption", "image_credit", "tags", "petitions",
            "replies_open", "language",
        ]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, [a link](https://…), ## a heading, "
                      "lists with “- ”, a blank line between paragraphs."),
            "image_alt": _("What the picture shows, for people who cannot see it. "
                           "Required with an image."),
            "replies_open": _("Readers may reply; every reply waits for a moderator."),
        }

    def __init__(self, *args, user, story: Story | None = None, **kwargs):
        self.story = story
        instance = Story() if story is None else Story.objects.get(pk=story.pk)
        # The form works on its own copy: the story itself is changed only by the service.
        super().__init__(*args, instance=instance, **kwargs)
        organisation = self.fields["organisation"]
        organisation.queryset = organisations_writing_for(user)
        if user.is_staff:
            organisation.required = False
            organisation.empty_label = _("None: a story for the whole site")
        else:
            organisation.empty_label = None
        self.fields["petitions"].queryset = linkable_petitions()
        # Typed as text: the model's own initial value for a new story is its empty
        # list of tags, which would show as "[]".
        self.initial["tags"] = ""
        if story is not None:
            self.initial["organisation"] = story.organisation.slug if story.organisation else ""
            self.initial["tags"] = ", ".join(tag.name for tag in story.tags.all())
            self.fields["slug"].required = True
            self.fields["slug"].help_text = _(
                "The last part of the story's address. Links to the old address will stop "
                "working.")
        for name in LINE_FIELDS:
            self.fields[name].validators.append(validate_plain_line)
        self.fields["body"].validators.append(validate_plain_text)

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].lower()
        if slug and Story.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another story already has this address. Choose another."), code="taken"
            )
        return slug

    def clean_tags(self) -> list[str]:
        names = []
        for name in self.cleaned_data["tags"].split(","):
            name = " ".join(name.split())
            if not name:
                continue
            validate_plain_line(name)
            if len(name) > TAG_MAX_LENGTH:
                raise ValidationError(
                    ngettext(
                        "A tag may be at most %(max)s character long.",
                        "A tag may be at most %(max)s characters long.",
                        TAG_MAX_LENGTH,
                    ) % {"max": TAG_MAX_LENGTH},
                    code="tag_too_long",
                )
            if not slugify(name, allow_unicode=True):
                raise ValidationError(
                    _("A tag needs at least one letter or number."), code="tag_empty"
                )
            if name.casefold() not in (known.casefold() for known in names):
                names.append(name)
        if len(names) > MAX_TAGS:
            raise ValidationError(
                ngettext("Choose at most %(max)s tag.", "Choose at most %(max)s tags.", MAX_TAGS)
                % {"max": MAX_TAGS},
                code="too_many_tags",
            )
        return names

    def clean_petitions(self):
        petitions = self.cleaned_data["petitions"]
        if len(petitions) > MAX_PETITIONS:
            raise ValidationError(
                ngettext(
                    "Link at most %(max)s petition.", "Link at most %(max)s petitions.",
                    MAX_PETITIONS,
                ) % {"max": MAX_PETITIONS},
                code="too_many_petitions",
            )
        return list(petitions)




    def story_fields(self) -> dict:
        """The submitted values, as the story's own fields."""
        fields = {
            name: value for name, value in self.cleaned_data.items()
            if name not in ("image", "tags", "petitions")
        }
        return {**fields, **self.image_change()}

    def preview(self) -> Story | None:
        """An unsaved story with the submitted text, to show what it will look like."""
        return self.instance if self.is_valid() else None


class StoryTranslationForm(forms.ModelForm):
    class Meta:
        model = StoryTranslation
        fields = ["title", "standfirst", "body", "image_alt", "image_caption"]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 16}),
        }
        help_texts = {
            "standfirst": _("Leave a field empty to show the original's text instead."),
            "body": _("Markdown. Leave it empty to show the original's text."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "standfirst", "image_alt", "image_caption"):
            self.fields[name].validators.append(validate_plain_line)
        self.fields["body"].validators.append(validate_plain_text)

    def _get_validation_exclusions(self):
        # story and language come from the address; the service saves one row per language.
        return {*super()._get_validation_exclusions(), "story", "language"}
