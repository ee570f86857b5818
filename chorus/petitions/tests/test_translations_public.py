"""Readers see a petition in their language; every language version shares one count."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chorus.petitions.models import Petition, PetitionTranslation
from chorus.signatures.counting.services import signatures_count

PAGE = "/petitions/stop-the-liquidation/"


@pytest.fixture
def translated_petition(petition):
    PetitionTranslation.objects.create(
        petition=petition, language="ru", title="Остановите ликвидацию",
        target="Правительство Норвании", ask="Отзовите иск.",
        body="Правительство **хочет** нас закрыть.",
    )
    return petition


def reader(language: str) -> Client:
    """A reader whose browser asks for this language (no cookie: a first visit)."""
    return Client(HTTP_ACCEPT_LANGUAGE=language)


def test_a_russian_reader_sees_the_russian_text(translated_petition):
    page = reader("ru").get(PAGE).content.decode()
    assert 'lang="ru" dir="auto">Остановите ликвидацию</h1>' in page
    assert "Правительство <strong>хочет</strong> нас закрыть." in page
    assert '<meta property="og:title" content="Остановите ликвидацию">' in page
    assert '<meta name="description" content="Отзовите иск.">' in page
    assert "Stop the lawsuit" not in page
    # The note that the original is what people signed, in Russian.
    assert 'class="translation-note"' in page


def test_an_english_reader_sees_the_original_and_where_else_to_read_it(translated_petition):
    page = reader("en").get(PAGE).content.decode()
    assert 'lang="en" dir="auto">Stop the lawsuit</h1>' in page
    assert "Остановите" not in page
    assert 'class="translation-note"' not in page
    assert "This is a translation" not in page
    assert "Also available in:" in page
    assert 'name="language" value="ru" lang="ru">Русский</button>' in page


def test_the_language_switcher_cookie_chooses_the_text(translated_petition):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert 'lang="ru" dir="auto">Остановите ликвидацию</h1>' in client.get(PAGE).content.decode()


def test_the_russian_page_says_the_translation_is_not_what_was_signed(translated_petition):
    reader("en").get(PAGE)  # fill the English cache first: languages must not mix
    page = reader("ru").get(PAGE).content.decode()
    note = re.search(r'<p class="translation-note">(.*?)</p>', page).group(1)
    assert "(Английский)" in note  # the original's language, named in Russian
    assert 'name="language" value="en" lang="en">English</button>' in page


def test_blank_translated_fields_fall_back_to_the_original(petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Остановите",
                                       ask="Отзовите иск.")
    page = reader("ru").get(PAGE).content.decode()
    assert 'lang="ru" dir="auto">Остановите</h1>' in page
    assert "The Government of Norvania" in page
    assert "The <strong>government</strong> wants to close us." in page


def test_an_arabic_reader_without_a_translation_sees_the_original(translated_petition):
    page = reader("ar").get(PAGE).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert 'lang="en" dir="auto">Stop the lawsuit</h1>' in page
    assert 'class="translation-note"' not in page


def test_a_new_translation_shows_at_once_despite_the_page_cache(
    client, editor, petition, django_capture_on_commit_callbacks
):
    assert 'lang="en" dir="auto">Stop the lawsuit</h1>' in reader("ru").get(PAGE).content.decode()
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/organiser/petitions/stop-the-liquidation/translations/ru/", {
            "title": "Остановите ликвидацию", "ask": "Отзовите иск.",
        })
    russian = reader("ru").get(PAGE).content.decode()
    assert 'lang="ru" dir="auto">Остановите ликвидацию</h1>' in russian


def test_the_page_costs_the_same_queries_with_any_number_of_translations(petition):
    def queries() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert reader("ru").get(PAGE).status_code == 200
        return len(captured)

    without = queries()
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Стоп",
                                       ask="Отзовите иск.")
    PetitionTranslation.objects.create(petition=petition, language="ar", title="أوقفوا",
                                       ask="اسحبوا الدعوى.")
    assert queries() == without


def test_cards_and_the_history_page_are_in_the_readers_language(translated_petition):
    russian = reader("ru")
    assert "Остановите ликвидацию" in russian.get("/").content.decode()
    assert "Остановите ликвидацию" in russian.get("/petitions/").content.decode()
    assert "Остановите ликвидацию" in russian.get(
        "/organisations/spectrum-alliance/").content.decode()
    assert "Остановите ликвидацию" in russian.get(PAGE + "history/").content.decode()
    assert "Остановите" not in reader("en").get("/petitions/").content.decode()


def test_a_search_finds_a_petition_by_its_translated_title(translated_petition):
    page = reader("ru").get("/petitions/", {"q": "ликвидацию"}).content.decode()
    assert "Остановите ликвидацию" in page
    page = reader("en").get("/petitions/", {"q": "ликвидацию"}).content.decode()
    assert "Stop the lawsuit" in page  # found, shown in the reader's language
    assert page.count('class="card"') == 1


def test_the_embed_card_is_in_the_readers_language(translated_petition):
    page = reader("ru").get(PAGE + "embed/").content.decode()
    assert "Остановите ликвидацию" in page
    assert "Stop the lawsuit" in reader("en").get(PAGE + "embed/").content.decode()


# Real commits, so each confirmation e-mail is sent after its signature is saved.
@pytest.mark.django_db(transaction=True)
def test_signatures_in_every_language_add_up_to_one_count(
    translated_petition, signer, immediate_tasks, mailoutbox
):
    russian, english = reader("ru"), reader("en")
    assert 'lang="ru" dir="auto">Остановите ликвидацию</h1>' in russian.get(PAGE).content.decode()
    assert 'lang="en" dir="auto">Stop the lawsuit</h1>' in english.get(PAGE).content.decode()

    russian.post(PAGE + "sign/", {**signer, "email": "ivan@example.org"})
    english.post(PAGE + "sign/", {**signer, "email": "jane@example.org"})

    assert len(mailoutbox) == 2
    by_address = {message.to[0]: message for message in mailoutbox}
    assert "Пожалуйста, подтвердите подпись" in by_address["ivan@example.org"].subject
    assert "Please confirm your signature" in by_address["jane@example.org"].subject
    # Each e-mail names the petition as its signer read it.
    assert "Остановите ликвидацию" in by_address["ivan@example.org"].body
    assert "Остановите ликвидацию" not in by_address["jane@example.org"].body
    for address, client in [("ivan@example.org", russian), ("jane@example.org", english)]:
        link = re.search(r"http://[^/\s]+(/confirm/[^/\s]+/)", by_address[address].body)
        assert client.post(link.group(1)).status_code == 200

    signatures_count()
    cache.clear()
    assert Petition.objects.get(pk=translated_petition.pk).signature_count == 2
    assert "<strong>2</strong>" in russian.get(PAGE).content.decode()
    assert "<strong>2</strong>" in english.get(PAGE).content.decode()



def test_the_thanks_page_names_the_petition_in_the_readers_language(translated_petition):
    assert "Остановите ликвидацию" in reader("ru").get(f"{PAGE}thanks/").content.decode()
    assert "Остановите ликвидацию" not in reader("en").get(f"{PAGE}thanks/").content.decode()
