"""A number of things reads right at 1, 2, 5 and 21, in English and in Russian.

The catalogue checks find every message with a number in it, so a new one
written with plain gettext fails here; the page checks read the figures people
see most: the petition page, the milestone e-mail, the organiser's petition
page and the review queue.
"""

import html
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from chorus.lib.tests.test_translations import CATALOGUE, SHIPPED, catalogue_of, entries, strings
from chorus.petitions.milestones import milestone_text, milestones_notify
from chorus.petitions.models import Milestone, Petition

# Placeholders that hold a number of something. A message with one of these
# (or a %d) needs ngettext / {% blocktranslate count %}.
NUMBER = re.compile(
    r"%\((count|counter|minutes|hours|days|floor|max|total|sent|number|percent|goal|size"
    r"|signatures|signers|people|petitions|replies|emails|countries|keys)\)[sd]|%\(\w+\)d|%d"
)
# Messages whose number counts nothing that changes form with it.
NOT_A_COUNT = {
    "Page %(number)s of %(total)s",  # page numbers: no noun follows
    "Signature %(number)s",  # a label, like "No. 5"
    "by moderator #%(number)s",  # an id
    "Goal: %(goal)s",  # a label and its figure
    "%(percent)s%% of the goal",  # percentages
    "Reached %(percent)s %% of the goal — %(date)s",
    "%(percent)s%%",  # a confirmation rate
    "fewer than %(floor)s",  # "меньше 5": nothing counted follows the number
    "Of which fewer than %(floor)s on paper.",  # the same
    "Sent on %(sent)s",  # a date
    "The image is too large: it may be at most %(size)s MB.",  # a unit symbol
    "Being e-mailed: sent %(sent)s of %(total)s.",  # no noun follows
}
# Russian plurals that rightly read the same in every form.
SAME_IN_EVERY_FORM = {
    "%(counter)s overdue",  # "Просрочено: 5", a label and its figure
}
# Arabic ones: a label and its figure, or a noun already in the plural of the whole.
ARABIC_SAME_IN_EVERY_FORM = {
    "Replies (%(counter)s waiting)",
    "%(counter)s of them is confirmed: the petition's count will drop by %(counter)s.",
}
NUMBERS = (1, 2, 5, 21)
RUSSIAN_SIGNATURES = {1: "подпись", 2: "подписи", 5: "подписей", 21: "подпись"}
ENGLISH_SIGNATURES = {1: "signature", 2: "signatures", 5: "signatures", 21: "signatures"}


def catalogue(language: str = "ru"):
    path = CATALOGUE if language == "ru" else catalogue_of(language)
    for block in entries(path.read_text(encoding="utf-8")):
        yield block, strings(block, "msgid")[0], strings(block, r"msgstr\[\d\]")


# Each shipped language's number of plural forms (as Django's own catalogues have them), and
# two forms that must differ: Russian "1 подпись" / "5 подписей", Arabic "توقيع" (1) and
# "توقيعات" (3 to 10).
PLURALS = {"ru": (4, 0, 2), "ar": (6, 1, 3)}


def test_every_shipped_language_has_its_plural_rules_here():
    assert sorted(PLURALS) == sorted(SHIPPED)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_plural_has_all_the_forms_of_its_language(language):
    forms_wanted = PLURALS[language][0]
    header = catalogue_of(language).read_text(encoding="utf-8").split("\n\n")[0]
    assert f"nplurals={forms_wanted};" in header
    short = [msgid for block, msgid, forms in catalogue(language)
             if "msgid_plural" in block and len(forms) != forms_wanted]
    assert short == []


@pytest.mark.parametrize("language", SHIPPED)
def test_every_plural_keeps_its_number_in_every_form(language):
    """A form without the number ("توقيع واحد") reads well but loses the figure the page shows."""
    def numbers(text: str) -> set[str]:
        return set(re.findall(r"%\(\w+\)[sd]|%d", text))

    lost = [msgid for block, msgid, forms in catalogue(language)
            if "msgid_plural" in block and any(numbers(form) != numbers(msgid) for form in forms)]
    assert lost == []


def test_every_arabic_plural_says_one_and_three_differently():
    _count, one, few = PLURALS["ar"]
    dodged = [msgid for block, msgid, forms in catalogue("ar")
              if "msgid_plural" in block and forms[one] == forms[few]
              and msgid not in SAME_IN_EVERY_FORM | ARABIC_SAME_IN_EVERY_FORM]
    assert dodged == []


def test_every_message_with_a_count_in_it_has_plural_forms():
    singular_only = [
        msgid for block, msgid, _forms in catalogue()
        if NUMBER.search(msgid) and "msgid_plural" not in block and msgid not in NOT_A_COUNT
    ]
    assert singular_only == []


def test_the_allow_list_names_only_messages_that_still_exist():
    known = {msgid for _block, msgid, _forms in catalogue()}
    assert NOT_A_COUNT - known == set()
    assert SAME_IN_EVERY_FORM - known == set()


def test_the_russian_catalogue_has_four_plural_forms_like_djangos_own():
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n")[0]
    assert "nplurals=4;" in header
    short = [msgid for block, msgid, forms in catalogue()
             if "msgid_plural" in block and len(forms) != 4]
    assert short == []


def test_every_russian_plural_says_one_and_five_differently():
    """A translation that dodges the plural ("Подписей: %(count)s") reads the same in
    every form; a real one says "1 подпись" but "5 подписей"."""
    dodged = [
        msgid for block, msgid, forms in catalogue()
        if "msgid_plural" in block and forms[0] == forms[2] and msgid not in SAME_IN_EVERY_FORM
    ]
    assert dodged == []


@pytest.mark.parametrize("n", NUMBERS)
def test_a_milestone_reads_right_in_english_and_russian(n):
    fixed = Milestone(threshold=n, percent_of_goal=None)
    share = Milestone(threshold=n, percent_of_goal=10)
    with translation.override("en"):
        assert milestone_text(fixed) == f"Your petition reached {n} {ENGLISH_SIGNATURES[n]}"
        assert milestone_text(share).endswith(f"({n} {ENGLISH_SIGNATURES[n]})")
    with translation.override("ru"):
        assert milestone_text(fixed) == f"Под вашей петицией уже {n} {RUSSIAN_SIGNATURES[n]}"
        assert milestone_text(share).endswith(f"({n} {RUSSIAN_SIGNATURES[n]})")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_milestone_email_says_1_signature_not_1_signatures(
    petition, owner, mailoutbox, settings, language
):
    settings.LANGUAGE_CODE = language
    Petition.objects.filter(pk=petition.pk).update(goal=10)
    milestone = Milestone.objects.create(
        petition=petition, threshold=1, percent_of_goal=10, reached_at=timezone.now()
    )
    milestones_notify.call(petition.pk, [milestone.pk])
    word = {"en": "(1 signature)", "ru": "(1 подпись)"}[language]
    assert word in mailoutbox[0].subject and word in mailoutbox[0].body
    assert "signatures)" not in mailoutbox[0].body


def page_text(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", response.content.decode())).split())


@pytest.mark.parametrize("n", NUMBERS)
def test_the_petition_page_says_how_many_people_signed(client, petition, n):
    Petition.objects.filter(pk=petition.pk).update(signature_count=n)
    expected = {
        "en": {1: "1 person has signed"}.get(n, f"{n} people have signed"),
        "ru": {1: "1 человек подписал", 2: "2 человека подписали", 5: "5 человек подписали",
               21: "21 человек подписал"}[n],
    }
    for language, words in expected.items():
        cache.clear()  # the page is cached whole, per language
        url = petition.get_absolute_url()
        assert words in page_text(client.get(url, HTTP_ACCEPT_LANGUAGE=language))


@pytest.mark.parametrize("n", NUMBERS)
def test_the_organisers_petition_page_counts_signatures(client, petition, owner, n):
    Petition.objects.filter(pk=petition.pk).update(signature_count=n)
    client.force_login(owner)
    url = reverse("petitions:manage:detail", args=[petition.slug])
    english = page_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    russian = page_text(client.get(url, HTTP_ACCEPT_LANGUAGE="ru"))
    assert f"{n} {ENGLISH_SIGNATURES[n]} of a goal of 100" in english
    assert f"{n} {RUSSIAN_SIGNATURES[n]}, цель — 100" in russian


def test_the_review_queue_counts_waiting_petitions(staff_client, organisation):
    expected = {
        1: ("1 petition is waiting.", "1 петиция в ожидании."),
        2: ("2 petitions are waiting.", "2 петиции в ожидании."),
        5: ("5 petitions are waiting.", "5 петиций в ожидании."),
        21: ("21 petitions are waiting.", "21 петиция в ожидании."),
    }
    made, url = 0, reverse("moderation:queue")
    for n, (english, russian) in expected.items():
        Petition.objects.bulk_create(
            Petition(organisation=organisation, slug=f"waiting-{i}", title=f"Waiting {i}",
                     target="A minister", ask="Act.", goal=100,
                     state=Petition.State.PENDING, submitted_at=timezone.now())
            for i in range(made, n)
        )
        made = n
        assert english in page_text(staff_client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
        assert russian in page_text(staff_client.get(url, HTTP_ACCEPT_LANGUAGE="ru"))
