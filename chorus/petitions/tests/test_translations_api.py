"""The JSON API gives a petition's text in a language when asked for it."""

import pytest

from chorus.petitions.models import PetitionTranslation

API = "/api/v1/petitions"


@pytest.fixture
def translated_petition(petition):
    PetitionTranslation.objects.create(
        petition=petition, language="ru", title="Остановите ликвидацию", ask="Отзовите иск.",
    )
    return petition


def test_the_api_gives_the_translated_title_when_asked(client, translated_petition):
    body = client.get(f"{API}/stop-the-liquidation", {"language": "ru"}).json()
    assert body["title"] == "Остановите ликвидацию"
    assert body["summary"] == "Отзовите иск."
    assert body["target"] == [{"name": "The Government of Norvania"}]  # not translated: original
    assert body["language"] == "ru"
    assert body["languages"] == ["en", "ru"]


def test_without_a_language_the_api_gives_the_original_whatever_the_browser_says(
    client, translated_petition
):
    body = client.get(f"{API}/stop-the-liquidation", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert body["title"] == "Stop the lawsuit"
    assert body["language"] == "en"
    assert body["languages"] == ["en", "ru"]


def test_a_language_without_a_translation_gives_the_original(client, translated_petition):
    body = client.get(f"{API}/stop-the-liquidation", {"language": "ar"}).json()
    assert body["title"] == "Stop the lawsuit"
    assert body["language"] == "en"


def test_the_list_gives_each_petition_in_the_language_asked_for(client, translated_petition):
    items = client.get(API, {"language": "ru"}).json()["items"]
    assert [item["title"] for item in items] == ["Остановите ликвидацию"]
    assert items[0]["languages"] == ["en", "ru"]
    assert client.get(API).json()["items"][0]["title"] == "Stop the lawsuit"


@pytest.mark.parametrize("language", ["xx", "ru\x00", "r" * 300])
def test_an_unknown_language_is_refused(client, translated_petition, language):
    assert client.get(f"{API}/stop-the-liquidation", {"language": language}).status_code == 422
    assert client.get(API, {"language": language}).status_code == 422
