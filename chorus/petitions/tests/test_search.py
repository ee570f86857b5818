"""The one search behind the petition list, the organisation pages and the API."""

import pytest
from django.db import connection

from chorus.petitions.models import Petition, PetitionTranslation
from chorus.petitions.search import petitions_search

on_postgres = connection.vendor == "postgresql"


def postgres_only(test):
    """Full-text search (word forms, accents, stop words, ranking) is PostgreSQL's."""
    return pytest.mark.postgres(
        pytest.mark.skipif(not on_postgres, reason="needs PostgreSQL")(test)
    )


def make_petition(organisation, slug, *, title, body="", language="en", count=0,
                  state="open"):
    petition = Petition.objects.create(
        organisation=organisation, slug=slug, title=title, target="The Government",
        ask="Listen to us.", body=body, language=language, signature_count=count,
    )
    if state == "open":
        petition.open()
    return petition


def found(query: str, queryset=None) -> list[str]:
    return [petition.slug for petition in petitions_search(query=query, queryset=queryset)]


@pytest.fixture
def liquidation(organisation):
    return make_petition(
        organisation, "stop-the-liquidation", title="Stop persecuting us",
        body="The Ministry of Justice has filed the lawsuit to liquidate the Spectrum "
             "Alliance. The Supreme Court will hear it in March.",
    )


@pytest.fixture
def forests(organisation):
    return make_petition(organisation, "save-the-forests", title="Save the forests",
                         body="Logging must stop.")


def test_it_finds_a_petition_by_a_word_of_its_text(liquidation, forests):
    assert found("Supreme") == ["stop-the-liquidation"]


def test_it_finds_every_word_in_any_order(liquidation, forests):
    assert found("lawsuit Spectrum") == ["stop-the-liquidation"]
    assert found("Spectrum lawsuit") == ["stop-the-liquidation"]
    assert found("justice, court!") == ["stop-the-liquidation"]


def test_it_finds_nothing_when_one_word_is_missing(liquidation, forests):
    assert found("lawsuit forests") == []


def test_it_ignores_case_in_every_alphabet(organisation):
    make_petition(organisation, "ru", title="Остановите ликвидацию", language="ru")
    assert found("ЛИКВИДАЦИЮ") == ["ru"]


def test_it_finds_a_petition_by_a_word_only_in_a_translation(liquidation, forests):
    PetitionTranslation.objects.create(
        petition=liquidation, language="ru", title="Прекратите преследование",
        ask="Отзовите иск.", body="Министерство юстиции требует ликвидировать «Спектр».",
    )
    assert found("Министерство юстиции") == ["stop-the-liquidation"]


def test_it_searches_only_the_petitions_it_is_given(liquidation, organisation):
    make_petition(organisation, "draft-lawsuit", title="Another lawsuit", state="draft")
    assert found("lawsuit") == ["stop-the-liquidation"]
    assert sorted(found("lawsuit", Petition.objects.all())) == [
        "draft-lawsuit", "stop-the-liquidation",
    ]


def test_a_blank_query_is_no_search(liquidation, forests):
    assert sorted(found("   ")) == ["save-the-forests", "stop-the-liquidation"]


@pytest.mark.parametrize("query", [
    "\x00", "\x00\x00 \ufffd", "!!! ?? …", "— « » —", "lawsuit " * 1300, "x" * 10240,
])
def test_bad_input_finds_nothing(liquidation, query):
    assert found(query) == []


def test_a_nul_byte_inside_a_word_is_dropped(liquidation):
    assert found("Supr\x00eme") == ["stop-the-liquidation"]


@postgres_only
def test_a_russian_word_form_finds_a_russian_petition(organisation):
    make_petition(organisation, "ru", title="Наша петиция", language="ru",
                  body="Петиция против ликвидации сети.")
    assert found("петиции") == ["ru"]
    assert found("ликвидация сетью") == ["ru"]


@postgres_only
def test_an_english_word_form_finds_an_english_petition(liquidation):
    assert found("lawsuits liquidating") == ["stop-the-liquidation"]


@postgres_only
def test_accents_are_ignored(organisation):
    make_petition(organisation, "es", title="Petición al Ministerio", language="es")
    assert found("peticion ministerio") == ["es"]
    assert found("PETICIÓN") == ["es"]


@postgres_only
def test_stop_words_alone_find_nothing_and_do_not_spoil_a_search(liquidation):
    assert found("the of to") == []
    assert found("the lawsuit") == ["stop-the-liquidation"]


@postgres_only
def test_the_best_match_comes_first_before_the_most_signed(organisation):
    make_petition(organisation, "mentions", title="Free the press", count=5000,
                  body="Journalists are detained; forests burn.")
    make_petition(organisation, "about", title="Save the forests", count=10)
    assert found("forests") == ["about", "mentions"]


@postgres_only
def test_the_search_can_use_its_indexes(liquidation):
    # With sequential scans off, the planner uses an index if it can: the
    # query's expression must be exactly the one the indexes are built on.
    queryset = petitions_search(query="lawsuit", queryset=Petition.objects.visible())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "petitions_petition_search" in plan
    assert "petitions_translation_search" in plan
