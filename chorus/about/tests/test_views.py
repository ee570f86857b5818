"""The site's own pages say who runs it and what it keeps, from the operator's settings."""

import pytest


@pytest.fixture
def operator(settings):
    settings.CHORUS_OPERATOR_NAME = "Friends of Spectrum e.V."
    settings.CHORUS_CONTACT_EMAIL = "team@spectrum.example"
    settings.CHORUS_IP_DIGEST_RETENTION_DAYS = 21
    settings.CHORUS_UNCONFIRMED_RETENTION_DAYS = 1
    settings.CHORUS_CLOSED_PETITION_RETENTION_DAYS = 90


def test_the_privacy_page_gives_this_sites_own_retention_periods(client, operator):
    page = client.get("/privacy/").content.decode()
    assert "Friends of Spectrum e.V." in page
    assert "It is deleted after 21 days." in page
    assert "A signature nobody confirmed is deleted after 1 day." in page
    assert "erased 90 days after the petition closes" in page
    assert "team@spectrum.example" in page


def test_the_privacy_page_reads_in_russian_with_the_right_plural(client, operator):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Он удаляется через 21 день." in page
    assert "Неподтверждённая подпись удаляется через 1 день." in page


def test_about_and_contact_name_the_operator(client, operator):
    assert "Friends of Spectrum e.V." in client.get("/about/").content.decode()
    contact = client.get("/contact/").content.decode()
    assert 'href="mailto:team@spectrum.example"' in contact


def test_without_a_contact_address_the_contact_page_shows_none(client, settings):
    settings.CHORUS_CONTACT_EMAIL = ""
    assert "mailto:" not in client.get("/contact/").content.decode()


def test_every_page_links_to_about_privacy_and_contact(client, petition):
    for url in ["/", petition.get_absolute_url(), "/stories/"]:
        page = client.get(url).content.decode()
        for link in ['href="/about/"', 'href="/privacy/"', 'href="/contact/"']:
            assert link in page, (url, link)


def test_the_pages_refuse_a_post(client):
    assert client.post("/privacy/").status_code == 405
