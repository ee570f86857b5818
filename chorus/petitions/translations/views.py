"""Organisers translate their petitions: one text per language, one shared count.

A translation is not what people signed (the original is), so it may be
added or changed in any state, even after the petition opened.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from chorus.audit.services import audit_record
from chorus.lib.http import form_data, require_post
from chorus.organisers.models import Role
from chorus.petitions.models import Petition, PetitionTranslation
from chorus.petitions.permissions import petition_for_member
from chorus.petitions.services import petition_touch
from chorus.petitions.translations.forms import PetitionTranslationForm

# The workflows. They would sit in chorus/petitions/services.py, which another
# engineer owned while these were written.



@transaction.atomic
def petition_translation_save(*, petition: Petition, actor, language: str,
                              fields: dict[str, str]) -> PetitionTranslation:
    """Add or replace the petition's text in `language` (never the original's language)."""
    translation, created = PetitionTranslation.objects.select_for_update().get_or_create(
        petition=petition, language=language, defaults=fields,
    )
    if not created:
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.full_clean()
        translation.save()
    petition_touch(petition=petition)
    audit_record(actor=actor, action="petition.translation_save", target=petition,
                 language=language, created=created)
    return translation


@transaction.atomic
def petition_translation_delete(*, petition: Petition, actor, language: str) -> bool:
    """Remove a translation; readers of that language see the original again."""
    deleted, _rows = PetitionTranslation.objects.filter(
        petition=petition, language=language
    ).delete()
    if deleted:
        petition_touch(petition=petition)
        audit_record(actor=actor, action="petition.translation_delete", target=petition,
                     language=language)
    return bool(deleted)


# The views.


def translatable_languages(petition: Petition) -> list[tuple[str, str]]:
    """(code, name) of every interface language the petition is not written in."""
    return [(code, name) for code, name in settings.LANGUAGES if code != petition.language]


def _language_or_404(petition: Petition, language: str) -> str:
    if language not in dict(translatable_languages(petition)):
        raise Http404
    return language


def _language_names(language: str) -> dict[str, str]:
    info = get_language_info(language)
    return {"name": info["name_translated"], "name_local": info["name_local"]}


@login_required
def translation(request, slug, language):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    language = _language_or_404(petition, language)
    existing = PetitionTranslation.objects.filter(petition=petition, language=language).first()
    if request.method == "POST":
        form = PetitionTranslationForm(form_data(request), instance=existing,
                                       language=language)
        if form.is_valid():
            petition_translation_save(petition=petition, actor=request.user, language=language,
                                      fields=form.translation_fields())
            messages.success(request, _("The translation is saved."))
            return redirect("petitions:manage:detail", slug=petition.slug)
    else:
        form = PetitionTranslationForm(instance=existing, language=language)
    context = {
        "petition": petition,
        "form": form,
        "language": language,
        "language_names": _language_names(language),
        "original_names": _language_names(petition.language),
        "existing": existing,
    }
    return render(request, "petitions/manage/translation.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_post
def translation_delete(request, slug, language):
    petition, _membership = petition_for_member(request.user, slug, Role.EDITOR)
    language = _language_or_404(petition, language)
    if petition_translation_delete(petition=petition, actor=request.user, language=language):
        messages.success(request, _("The translation is deleted."))
    return redirect("petitions:manage:detail", slug=petition.slug)
