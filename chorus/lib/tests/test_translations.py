"""Every message ships complete in Russian."""

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def entries(text):
    for block in text.split("\n\n")[1:]:  # the first block is the header
        if block.strip() and not block.lstrip().startswith("#~"):
            yield block


def strings(block, key):
    pattern = rf'^{key} ((?:".*"\n?)+)'
    return ["".join(re.findall(r'"(.*)"', m)) for m in re.findall(pattern, block, re.M)]


def test_the_russian_catalogue_has_no_untranslated_or_fuzzy_messages():
    problems = []
    for block in entries(CATALOGUE.read_text(encoding="utf-8")):
        msgid = strings(block, "msgid")[0]
        translations = strings(block, "msgstr") + strings(block, r"msgstr\[\d\]")
        if "#, fuzzy" in block or not translations or not all(translations):
            problems.append(msgid)
    assert problems == []


def test_the_catalogue_covers_every_string_in_the_code(monkeypatch):
    """Re-extract the messages: a string added without a translation fails here."""
    assert shutil.which("xgettext"), "GNU gettext is needed to check the catalogue"
    known = {strings(block, "msgid")[0] for block in entries(CATALOGUE.read_text("utf-8"))}
    original = CATALOGUE.read_text(encoding="utf-8")
    monkeypatch.chdir(settings.BASE_DIR)
    try:
        call_command(
            "makemessages", locale=["ru"],
            ignore_patterns=[".venv/*", ".tools/*", "bench/*", "staticfiles/*"],
            no_obsolete=True, verbosity=0,
        )
        fresh = CATALOGUE.read_text(encoding="utf-8")
    finally:
        CATALOGUE.write_text(original, encoding="utf-8")
    extracted = {strings(block, "msgid")[0] for block in entries(fresh)}
    assert sorted(extracted - known) == []


def test_russian_is_served():
    with translation.override("ru"):
        assert translation.gettext("Sign the petition") == "Подписать петицию"
