"""Every message ships complete in every language of the language menu (settings.LANGUAGES)."""

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUE = LOCALE / "ru" / "LC_MESSAGES" / "django.po"
# Every language offered in the menu except the one the code is written in.
SHIPPED = [code for code, _name in settings.LANGUAGES if code != "en"]
IGNORED = [".venv/*", ".tools/*", "bench/*", "staticfiles/*", "node_modules/*"]


def catalogue_of(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def entries(text):
    for block in text.split("\n\n")[1:]:  # the first block is the header
        if block.strip() and not block.lstrip().startswith("#~"):
            yield block


def strings(block, key):
    pattern = rf'^{key} ((?:".*"\n?)+)'
    return ["".join(re.findall(r'"(.*)"', m)) for m in re.findall(pattern, block, re.M)]


def test_every_shipped_language_has_a_catalogue():
    assert SHIPPED, "at least one language besides English"
    assert all(catalogue_of(language).exists() for language in SHIPPED)


@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalogue_has_no_untranslated_or_fuzzy_messages(language):
    problems = []
    for block in entries(catalogue_of(language).read_text(encoding="utf-8")):
        msgid = strings(block, "msgid")[0]
        translations = strings(block, "msgstr") + strings(block, r"msgstr\[\d\]")
        if "#, fuzzy" in block or not translations or not all(translations):
            problems.append(msgid)
    assert problems == []


def test_the_catalogues_cover_every_string_in_the_code(monkeypatch):
    """Re-extract the messages: a string added without a translation fails here."""
    assert shutil.which("xgettext"), "GNU gettext is needed to check the catalogue"
    originals = {language: catalogue_of(language).read_text(encoding="utf-8")
                 for language in SHIPPED}
    monkeypatch.chdir(settings.BASE_DIR)
    fresh = {}
    try:
        call_command("makemessages", locale=SHIPPED, ignore_patterns=IGNORED,
                     no_obsolete=True, verbosity=0)
        fresh = {language: catalogue_of(language).read_text(encoding="utf-8")
                 for language in SHIPPED}
    finally:
        for language, text in originals.items():
            catalogue_of(language).write_text(text, encoding="utf-8")
    for language in SHIPPED:
        known = {strings(block, "msgid")[0] for block in entries(originals[language])}
        extracted = {strings(block, "msgid")[0] for block in entries(fresh[language])}
        assert (language, sorted(extracted - known)) == (language, [])


def test_russian_is_served():
    with translation.override("ru"):
        assert translation.gettext("Sign the petition") == "Подписать петицию"


def test_arabic_is_served():
    with translation.override("ar"):
        assert translation.gettext("Sign the petition") == "وقّع العريضة"
