"""Stories: editors write and publish them; readers read them, by tag and by feed."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chorus.lib.forms import posted_form, saving
from chorus.lib.http import form_data, public_page, require_post
from chorus.lib.translations import translated
from chorus.organisers.models import Role
from chorus.organisers.permissions import organisations_for
from chorus.stories import selectors, services
from chorus.stories.forms import StoryForm, StoryTranslationForm
from chorus.stories.models import StoryTranslation, Tag

PER_PAGE = 20


# Editors (organiser/stories/…)


@login_required
def manage_list(request):
    stories = selectors.stories_for_organiser(request.user)
    editable = set(organisations_for(request.user, Role.EDITOR).values_list("pk", flat=True))
    page = Paginator(stories, 50).get_page(request.GET.get("page"))
    for story in page:
        story.can_edit = request.user.is_staff or story.organisation_id in editable
    context = {"page": page, "can_write": selectors.may_write_stories(request.user)}
    return render(request, "stories/manage/list.html", context)


def _render_form(request, form, *, story=None, status=None):
    previewing = request.method == "POST" and request.POST.get("action") == "preview"
    context = {
        "form": form,
        "story": story,
        "preview": form.preview() if previewing else None,
        **form.image_preview(previewing=previewing),
        "other_languages": _other_languages(story) if story else [],
        "scheduled": bool(story and story.state == story.State.PUBLISHED
                          and story.published_at > timezone.now()),
    }
    status = status or (400 if form.errors else 200)
    return render(request, "stories/manage/form.html", context, status=status)


def _other_languages(story) -> list[dict]:
    translated_into = set(story.translations.values_list("language", flat=True))
    return [
        {"code": code, "name": name, "exists": code in translated_into}
        for code, name in settings.LANGUAGES if code != story.language
    ]


@login_required
def create(request):
    if not selectors.may_write_stories(request.user):
        raise PermissionDenied
    form = posted_form(request, StoryForm, user=request.user)
    if saving(request, form):
        try:
            story = services.story_create(
                actor=request.user, tags=form.cleaned_data["tags"],
                petitions=form.cleaned_data["petitions"], **form.story_fields(),
            )
        except ValidationError as error:
            form.add_error("slug" if error.code == "slug_taken" else None, error.messages)
        except OSError:  # the picture could not be written; the row was rolled back
            form.image_not_stored()
            return _render_form(request, form, status=503)
        else:
            form.discard_kept_image()
            messages.success(request, _("Your draft is saved. Publish it when it is ready."))
            return redirect("stories:edit", slug=story.slug)
    return _render_form(request, form)


@login_required
def edit(request, slug):
    story, _membership = selectors.story_for_member(request.user, slug)
    form = posted_form(request, StoryForm, user=request.user, story=story)
    if saving(request, form):
        try:
            story = services.story_update(
                story=story, actor=request.user, changes=form.story_fields(),
                tags=form.cleaned_data["tags"], petitions=form.cleaned_data["petitions"],
            )
        except ValidationError as error:
            form.add_error("slug" if error.code == "slug_taken" else None, error.messages)
        except OSError:  # the picture could not be written; the change was rolled back
            form.image_not_stored()
            return _render_form(request, form, story=story, status=503)
        else:
            form.discard_kept_image()
            messages.success(request, _("Your changes are saved."))
            return redirect("stories:edit", slug=story.slug)
    return _render_form(request, form, story=story)


@login_required
@require_post
def publish(request, slug):
    story, _membership = selectors.story_for_member(request.user, slug)
    try:
        story = services.story_publish(story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if story.published_at > timezone.now():
            messages.success(request, _("The story is scheduled: it appears on %(date)s UTC.")
                             % {"date": date_format(story.published_at, "DATETIME_FORMAT")})
        else:
            messages.success(request, _("The story is published."))
    return redirect("stories:edit", slug=story.slug)


@login_required
@require_post
def unpublish(request, slug):
    story, _membership = selectors.story_for_member(request.user, slug)
    try:
        services.story_unpublish(story=story, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The story is a draft again: readers no longer see it."))
    return redirect("stories:edit", slug=story.slug)


@login_required
def translation(request, slug, language):
    story, _membership = selectors.story_for_member(request.user, slug)
    names = dict(settings.LANGUAGES)
    if language not in names or language == story.language:
        raise Http404
    existing = StoryTranslation.objects.filter(story=story, language=language).first()
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.story_translation_delete(story=story, actor=request.user, language=language)
        messages.success(request, _("The translation is deleted."))
        return redirect("stories:edit", slug=story.slug)
    if request.method == "POST":
        form = StoryTranslationForm(form_data(request), instance=existing)
        if form.is_valid():
            services.story_translation_save(
                story=story, actor=request.user, language=language, fields=form.cleaned_data,
            )
            messages.success(request, _("The translation is saved."))
            return redirect("stories:edit", slug=story.slug)
    else:
        form = StoryTranslationForm(instance=existing)
    context = {
        "story": story, "form": form, "existing": existing,
        "language": language, "language_name": names[language],
    }
    return render(request, "stories/manage/translation_form.html", context,
                  status=400 if form.errors else 200)


# Readers (stories/…). Nothing here depends on who reads it, and nothing sets a cookie.


def _shown(stories) -> list:
    # translations were prefetched: translated() picks the reader's language without a query.
    return [translated(story, translations=story.translations.all()) for story in stories]


@public_page
def story_list(request):
    page = Paginator(selectors.published_stories(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stories/story_list.html",
                  {"page": page, "stories": _shown(page)})


@public_page
def tag(request, slug):
    if "\x00" in slug:
        # PostgreSQL refuses NUL in a query with an error; no tag has one anyway.
        raise Http404
    tag = get_object_or_404(Tag, slug=slug)
    stories = selectors.published_stories().filter(tags=tag)
    page = Paginator(stories, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "stories/tag.html", {"tag": tag, "page": page, "stories": _shown(page)})


@public_page
def story_detail(request, slug):
    story = selectors.public_story_or_404(slug)
    petitions = [
        translated(petition, translations=petition.translations.all())
        for petition in story.petitions.all()
    ]
    context = {
        "story": translated(story, translations=story.translations.all()),
        "petitions": petitions,
        "related": _shown(selectors.related_stories(story)),
    }
    return render(request, "stories/story_detail.html", context)
