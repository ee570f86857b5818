"""Content (petitions, stories) in the reader's language, falling back to the original."""

import copy

from django.utils.translation import get_language


def translated(obj, language: str | None = None, *, translations=None):
    """A copy of `obj` with its text in `language` where a translation has it.

    `obj` has a `language` field (the original's) and a `translations`
    relation whose model lists TRANSLATED_FIELDS. Blank translated fields
    keep the original text. The copy is for display only: never save it.
    `translations` may be given (prefetched) to save a query.
    """
    language = (language or get_language() or "").split("-")[0]
    if not language or language == getattr(obj, "language", None) or obj.pk is None:
        return obj
    rows = translations if translations is not None else obj.translations.all()
    match = next((row for row in rows if row.language == language), None)
    if match is None:
        return obj
    shown = copy.copy(obj)
    # Each field's own language, for its `lang` attribute: a field left blank in the
    # translation shows the original's text, which a screen reader must read as such.
    shown.field_languages = {}
    shown.original_language = obj.language
    for field in match.TRANSLATED_FIELDS:
        value = getattr(match, field)
        if value:
            setattr(shown, field, value)
        shown.field_languages[field] = language if value else obj.language
    shown.language = language
    shown.is_translation = True
    return shown
