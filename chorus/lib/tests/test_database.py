"""While the database cannot be reached, pages answer a polite 503 and recover by themselves."""

import pytest
from django.db import ProgrammingError, connections
from django.db.utils import OperationalError
from django.test import Client

from chorus.lib import database
from chorus.petitions.models import Petition


@pytest.fixture(autouse=True)
def _fresh_log(monkeypatch):
    # The log is limited to one line per process every few seconds; each test starts anew.
    monkeypatch.setattr(database, "_log_state", {"at": None, "suppressed": 0})


def petition_page(petition, **headers):
    return Client(**headers).get(f"/petitions/{petition.slug}/")


def test_a_page_that_is_not_cached_answers_503_and_asks_to_retry_later(petition, outage):
    outage.start()

    response = petition_page(petition)

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "We cannot record anything just now. Please try again in a moment." in page
    assert page.startswith("<!doctype html>") and '<html lang="en"' in page
    assert "Log in" not in page  # no user menu: it would read the session


def test_the_retry_after_is_a_setting(petition, outage, settings):
    settings.CHORUS_RETRY_AFTER_SECONDS = 30
    outage.start()

    assert petition_page(petition)["Retry-After"] == "30"


def test_a_russian_reader_is_told_in_russian(petition, outage):
    outage.start()

    response = petition_page(petition, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 503
    page = response.content.decode()
    assert '<html lang="ru"' in page
    assert "Сейчас мы ничего не можем сохранить. Пожалуйста, попробуйте ещё раз чуть позже." in page


def test_the_next_request_after_the_database_is_back_succeeds(petition, outage):
    outage.start()
    assert petition_page(petition).status_code == 503

    outage.end()

    response = petition_page(petition)
    assert response.status_code == 200
    assert petition.title in response.content.decode()


def test_a_cached_petition_page_is_still_served_during_the_outage(petition, outage):
    assert petition_page(petition).status_code == 200  # now in the page cache
    outage.start()

    response = petition_page(petition)

    assert response.status_code == 200
    assert petition.title in response.content.decode()


def test_a_session_that_cannot_be_read_gets_the_same_page(staff_client, outage):
    # The staff-session middleware reads the session before any view runs.
    staff_client.raise_request_exception = False
    outage.start()

    response = staff_client.get("/moderation/")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Please try again in a moment." in response.content.decode()


def test_it_logs_one_line_without_the_address_however_many_requests_fail(
    petition, outage, caplog
):
    outage.start()
    for _ in range(3):
        Client().get(f"/petitions/{petition.slug}/")

    lines = [record for record in caplog.records if record.name == "chorus.database"]
    assert len(lines) == 1
    assert "GET signatures:petition" in lines[0].getMessage()
    assert petition.slug not in lines[0].getMessage()


def test_a_mistake_in_our_own_sql_is_still_a_500(petition):
    def wrong(self, name=None):
        raise ProgrammingError("no such column")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(connections["default"]), "_cursor", wrong)
        response = Client(raise_request_exception=False).get(f"/petitions/{petition.slug}/")

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.postgres
@pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="needs PostgreSQL")
def test_on_postgresql_the_outage_is_a_refused_connection(petition, outage):
    outage.start()

    with pytest.raises(OperationalError):
        Petition.objects.count()
    assert petition_page(petition).status_code == 503

    outage.end()
    assert Petition.objects.count() == 1
