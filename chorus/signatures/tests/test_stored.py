"""The signature's INSERT as a PostgreSQL function (chorus/signatures/stored.py)."""

import threading
import time
from collections import Counter

import pytest
from django.db import DataError, connection, transaction

from chorus.lib.digests import email_digest
from chorus.signatures import services, stored
from chorus.signatures.models import Signature

STATEMENT = "INSERT INTO t (a, b) SELECT %s, %s WHERE %s > 0 AND %s < 9 RETURNING id"
PARAMS = (("a", "bigint"), ("b", "varchar(200)"), ("limit", "integer"), ("a", "bigint"))


def test_the_function_runs_the_statement_with_each_value_once():
    name, create = stored._definition(STATEMENT, PARAMS)
    assert name.startswith("chorus_signature_insert_")
    assert f"FUNCTION {name}(bigint, varchar, integer)" in create  # lengths checked by the table
    assert "SELECT $1, $2 WHERE $3 > 0 AND $1 < 9 RETURNING id INTO inserted" in create
    assert "plan_cache_mode = force_generic_plan" in create
    call, takes = stored.call(STATEMENT, PARAMS)
    assert call == f"SELECT {name}(%s::bigint, %s::varchar, %s::integer)"
    assert takes == (0, 1, 2)


def test_a_changed_statement_is_a_new_function():
    name, _create = stored._definition(STATEMENT, PARAMS)
    assert stored._definition(STATEMENT.replace("> 0", ">= 0"), PARAMS)[0] != name
    changed = (("a", "bigint"), ("b", "text"), ("limit", "bigint"), ("a", "bigint"))
    assert stored._definition(STATEMENT, changed)[0] != name


def test_placeholders_and_parameters_must_agree():
    with pytest.raises(ValueError, match="4 placeholders for 3 parameters"):
        stored._definition(STATEMENT, PARAMS[:3])
    with pytest.raises(ValueError, match="RETURNING id"):
        stored._definition("DELETE FROM t WHERE a = %s", (("a", "bigint"),))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_migrate_created_the_function_signing_calls_and_installing_again_is_harmless():
    call, takes = services._insert_call()
    name = call.split("(")[0].removeprefix("SELECT ")
    services.insert_function_install()  # as every migrate does
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = %s", [name])
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT pronargs, proconfig FROM pg_proc WHERE proname = %s", [name],
        )
        arguments, config = cursor.fetchone()
    assert arguments == len(takes) == len({name for name, _type in services._insert_params()})
    assert arguments < len(services._insert_params())  # repeated values are sent once
    assert config == ["plan_cache_mode=force_generic_plan"]


# --- Signatures arriving together share one statement (PostgreSQL) -----------------

def _queued_behind_a_busy_statement(monkeypatch, signatures: list[dict]) -> list:
    """Each signature from its own thread, all queued while a statement is being
    stored, then handed over together as a real server's threads would be; each
    thread's result or exception."""
    together = stored._Together()
    together._busy = True  # a signature of another thread being stored
    monkeypatch.setattr(stored, "_together", {"default": together})
    results = [None] * len(signatures)

    def sign(index):
        try:
            services.signature_create(**signatures[index])
        except Exception as error:  # noqa: BLE001 - the test looks at it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(len(signatures))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(together._queue) < len(signatures):
        assert time.monotonic() < deadline, "the signatures never queued"
        time.sleep(0.01)
    together._hand_over()
    for thread in threads:
        thread.join(30)
    assert not together._busy and not together._queue
    return results


def _signature(petition, i: int, **changes) -> dict:
    return {"petition_id": petition.pk, "name": f"Signer {i}", "email": f"signer{i}@gmail.com",
            "country": "DE", "ip": f"192.0.2.{i}", **changes}


def _transactions(petition) -> dict[str, str]:
    """Each stored signature's address digest → the transaction that wrote its row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT email_digest, xmin::text FROM signatures_signature "
                       "WHERE petition_id = %s", [petition.pk])
        return dict(cursor.fetchall())


def _pg(test):
    """A test whose threads commit for real, on PostgreSQL only."""
    needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                        reason="needs PostgreSQL")
    return needs_postgres(pytest.mark.django_db(transaction=True)(test))


@_pg
def test_signatures_that_arrive_together_are_stored_in_one_commit(monkeypatch, petition):
    signatures = [_signature(petition, i) for i in range(6)]
    signatures.append(_signature(petition, 0, name="The first signer again"))  # a duplicate
    assert _queued_behind_a_busy_statement(monkeypatch, signatures) == [None] * 7

    written = _transactions(petition)
    assert sorted(written) == sorted(email_digest(f"signer{i}@gmail.com") for i in range(6))
    # One transaction wrote them all (the duplicate's own UPDATE rewrote the first row).
    assert len({written[email_digest(f"signer{i}@gmail.com")] for i in range(1, 6)}) == 1
    first = Signature.objects.get(petition=petition, email_digest=email_digest("signer0@gmail.com"))
    assert first.name in ("Signer 0", "The first signer again")  # whichever queued first
    # The duplicate is answered as duplicates are: its e-mail is due once more.
    assert first.confirmation_sends == 2 and first.confirmation_due


@_pg
def test_a_signature_that_fails_leaves_the_others_to_be_stored_alone(monkeypatch, petition):
    signatures = [_signature(petition, i) for i in range(4)]
    signatures[2]["source"] = "x" * 1000  # longer than its column: PostgreSQL refuses the row
    results = _queued_behind_a_busy_statement(monkeypatch, signatures)

    assert [type(result) for result in results] == [type(None), type(None), DataError, type(None)]
    written = _transactions(petition)
    assert sorted(written) == sorted(email_digest(f"signer{i}@gmail.com") for i in (0, 1, 3))
    assert len(set(written.values())) == 3  # each in a transaction of its own


@_pg
def test_a_signature_inside_a_transaction_is_not_shared(monkeypatch, petition):
    together = stored._Together()
    together._busy = True  # were it to join the queue, it would wait for ever
    monkeypatch.setattr(stored, "_together", {"default": together})
    with transaction.atomic():
        services.signature_create(**_signature(petition, 1))
    assert not together._queue
    assert list(_transactions(petition)) == [email_digest("signer1@gmail.com")]


@_pg
def test_migrate_created_the_function_that_stores_several_signatures(petition):
    call, _takes = services._insert_call()
    together = stored._together_sql(call)
    assert together.startswith("SELECT chorus_signatures_insert_")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = %s",
                       [together.removeprefix("SELECT ").partition("(")[0]])
        assert cursor.fetchone()[0] == 1


@_pg
def test_signatures_in_one_call_are_screened_as_if_each_came_alone(monkeypatch, petition,
                                                                   settings):
    settings.CHORUS_LIMIT_IP_PER_PETITION = 3
    signatures = [_signature(petition, i, ip="198.51.100.7") for i in range(5)]
    assert _queued_behind_a_busy_statement(monkeypatch, signatures) == [None] * 5

    stored_rows = Signature.objects.filter(petition=petition)
    states = Counter(stored_rows.values_list("state", "held_reason"))
    # Each saw the rows stored before it in the same call: the fourth and fifth are over.
    assert states == {(Signature.State.PENDING, ""): 3, (Signature.State.HELD, "ip-limit"): 2}
    assert len(set(_transactions(petition).values())) == 1
