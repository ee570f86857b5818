"""Organisers translate their petitions into the site's other languages."""

import pytest
from django.core.cache import cache

from chorus.audit.models import AuditEntry
from chorus.petitions.models import Petition, PetitionTranslation
from chorus.petitions.selectors import public_petition

RUSSIAN = "/organiser/petitions/stop-the-liquidation/translations/ru/"


def russian(**changes) -> dict:
    data = {
        "title": "Остановите ликвидацию",
        "target": "Правительство Норвании",
        "ask": "Отзовите иск.",
        "body": "Правительство **хочет** нас закрыть.",
        "statement": "",
        "image_alt": "",
        "image_caption": "",
    }
    data.update(changes)
    return data


def test_an_editor_adds_a_translation_to_an_open_petition(client, editor, petition):
    client.force_login(editor)
    page = client.get(RUSSIAN)
    assert page.status_code == 200
    assert "what people sign" in page.content.decode()
    assert "Stop the lawsuit" in page.content.decode()  # the original, to translate from

    response = client.post(RUSSIAN, russian())

    assert response.status_code == 302
    assert response["Location"] == "/organiser/petitions/stop-the-liquidation/"
    saved = PetitionTranslation.objects.get(petition=petition, language="ru")
    assert saved.title == "Остановите ликвидацию"
    assert saved.body == "Правительство **хочет** нас закрыть."
    entry = AuditEntry.objects.get(action="petition.translation_save")
    assert entry.actor == editor
    assert entry.details == {"language": "ru", "created": True}
    # What people signed is untouched.
    petition.refresh_from_db()
    assert petition.title == "Stop the lawsuit"


def test_an_editor_changes_a_translation(client, editor, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Старое",
                                       ask="Старый вопрос.")
    client.force_login(editor)
    assert "Старое" in client.get(RUSSIAN).content.decode()

    client.post(RUSSIAN, russian(title="Новое"))

    assert PetitionTranslation.objects.get(petition=petition, language="ru").title == "Новое"
    assert PetitionTranslation.objects.count() == 1


def test_saving_a_translation_refreshes_the_cached_public_page(
    client, editor, petition, django_capture_on_commit_callbacks
):
    before = Petition.objects.get(pk=petition.pk).updated_at
    assert public_petition(petition.slug) is not None
    assert cache.get(f"petition:{petition.slug}") is not None
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(RUSSIAN, russian())

    assert cache.get(f"petition:{petition.slug}") is None
    assert Petition.objects.get(pk=petition.pk).updated_at > before


def test_a_translation_may_be_added_to_a_draft(client, owner, draft):
    client.force_login(owner)
    response = client.post("/organiser/petitions/free-the-press/translations/ar/",
                           russian(title="حرروا الصحافة", ask="أطلقوا سراح الصحفيين."))
    assert response.status_code == 302
    assert draft.translations.get().title == "حرروا الصحافة"


def test_the_petition_page_for_organisers_lists_the_translations(client, viewer, editor, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Остановите",
                                       ask="Отзовите иск.")
    client.force_login(editor)
    page = client.get("/organiser/petitions/stop-the-liquidation/").content.decode()
    assert 'href="/organiser/petitions/stop-the-liquidation/translations/ru/"' in page
    assert 'href="/organiser/petitions/stop-the-liquidation/translations/ar/"' in page
    assert "/translations/en/" not in page  # the petition is written in English
    assert "translated: “Остановите”" in page

    client.force_login(viewer)
    page = client.get("/organiser/petitions/stop-the-liquidation/").content.decode()
    assert "translated: “Остановите”" in page
    assert "/translations/ru/" not in page


def test_a_viewer_cannot_add_a_translation(client, viewer, petition):
    client.force_login(viewer)
    assert client.get(RUSSIAN).status_code == 403
    assert client.post(RUSSIAN, russian()).status_code == 403
    assert not PetitionTranslation.objects.exists()


def test_an_outsider_is_told_the_petition_does_not_exist(client, outsider, petition):
    client.force_login(outsider)
    assert client.get(RUSSIAN).status_code == 404
    assert client.post(RUSSIAN, russian()).status_code == 404
    assert not PetitionTranslation.objects.exists()


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client, petition):
    response = client.post(RUSSIAN, russian())
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not PetitionTranslation.objects.exists()


@pytest.mark.parametrize("language", ["en", "xx", "de", "ru-evil", "r%00u"])
def test_there_is_no_translation_into_the_original_language_or_an_unknown_one(
    client, editor, petition, language
):
    client.force_login(editor)
    url = f"/organiser/petitions/stop-the-liquidation/translations/{language}/"
    assert client.get(url).status_code == 404
    assert client.post(url, russian()).status_code == 404
    assert client.post(url + "delete/").status_code == 404
    assert not PetitionTranslation.objects.exists()


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"ask": ""}, "ask"),
    ({"title": "Стоп\x00"}, "title"),
    ({"body": "Текст\x00"}, "body"),
    ({"target": "Прави\x07тельство"}, "target"),
    ({"title": "Я" * 201}, "title"),
    ({"ask": "Я" * 501}, "ask"),
    ({"image_caption": "Я" * 301}, "image_caption"),
])
def test_bad_input_is_refused_with_an_error_and_nothing_is_saved(
    client, editor, petition, changes, field
):
    client.force_login(editor)
    response = client.post(RUSSIAN, russian(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Please correct the following" in response.content.decode()
    assert not PetitionTranslation.objects.exists()
    assert not AuditEntry.objects.filter(action="petition.translation_save").exists()


def test_bad_input_leaves_an_existing_translation_as_it_was(client, editor, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Старое",
                                       ask="Старый вопрос.")
    client.force_login(editor)
    assert client.post(RUSSIAN, russian(title="")).status_code == 400
    assert PetitionTranslation.objects.get().title == "Старое"


def test_an_editor_deletes_a_translation(client, editor, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Старое",
                                       ask="Старый вопрос.")
    client.force_login(editor)

    response = client.post(RUSSIAN + "delete/")

    assert response.status_code == 302
    assert not PetitionTranslation.objects.exists()
    entry = AuditEntry.objects.get(action="petition.translation_delete")
    assert entry.details == {"language": "ru"}


def test_deleting_takes_a_post_and_an_editor(client, viewer, editor, petition):
    PetitionTranslation.objects.create(petition=petition, language="ru", title="Старое",
                                       ask="Старый вопрос.")
    client.force_login(editor)
    assert client.get(RUSSIAN + "delete/").status_code == 405
    client.force_login(viewer)
    assert client.post(RUSSIAN + "delete/").status_code == 403
    assert PetitionTranslation.objects.count() == 1


def test_the_translation_form_uses_csrf(editor, petition):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(RUSSIAN, russian()).status_code == 403
    assert not PetitionTranslation.objects.exists()
