import pytest
from django.core.cache import cache

from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.paper import services
from chorus.signatures.paper.tests.conftest import rows, type_in
from chorus.signatures.services import signature_create


@pytest.fixture
def counted_paper(batch, editor, second_editor, petition):
    signature_create(petition_id=petition.pk, name="Online Signer", email="o@example.org",
                     country="DE")
    Signature.objects.get().confirm()
    typed = rows("Anna Berg", "Boris Kahn")
    type_in(batch, 1, editor, typed)
    type_in(batch, 2, second_editor, typed)
    services.batch_verify(batch=batch, actor=second_editor, corrections={})
    signatures_count()
    cache.clear()
    return petition


def test_count_json_says_how_many_were_on_paper(client, counted_paper, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1

    figures = client.get(f"/petitions/{counted_paper.slug}/count.json").json()

    assert figures["signature_count"] == 3
    assert figures["paper"] == {"signature_count": 2, "fewer_than": None}


def test_a_small_paper_count_is_shown_only_as_fewer_than_the_floor(client, counted_paper):
    figures = client.get(f"/petitions/{counted_paper.slug}/count.json").json()
    api = client.get(f"/api/v1/petitions/{counted_paper.slug}/count").json()
    page = client.get(counted_paper.get_absolute_url()).text

    assert figures["paper"] == {"signature_count": None, "fewer_than": 5}
    assert api["paper"] == {"total_signatures": None, "fewer_than": 5}
    assert "of which fewer than 5 on paper" in page


def test_the_petition_and_history_pages_say_of_which_on_paper(client, counted_paper, settings):
    settings.CHORUS_COUNTRY_FLOOR = 1

    page = client.get(counted_paper.get_absolute_url()).text
    history = client.get(f"/petitions/{counted_paper.slug}/history/").text
    api = client.get(f"/api/v1/petitions/{counted_paper.slug}/count").json()

    assert "of which 2 on paper" in page
    assert "of which 2 on paper" in history
    assert api["paper"] == {"total_signatures": 2, "fewer_than": None}


def test_a_petition_without_paper_signatures_says_nothing_about_paper(client, petition):
    figures = client.get(f"/petitions/{petition.slug}/count.json").json()

    assert figures["paper"] is None
    assert "on paper" not in client.get(petition.get_absolute_url()).text
