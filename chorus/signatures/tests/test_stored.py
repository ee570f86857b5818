"""The signature's INSERT as a PostgreSQL function (chorus/signatures/stored.py)."""

import pytest
from django.db import connection

from chorus.signatures import services, stored

STATEMENT = "INSERT INTO t (a, b) SELECT %s, %s WHERE %s > 0 RETURNING id"
TYPES = ("bigint", "varchar(200)", "integer")


def test_the_function_runs_the_statement_with_numbered_parameters():
    name, create = stored._definition(STATEMENT, TYPES)
    assert name.startswith("chorus_signature_insert_")
    assert f"FUNCTION {name}(bigint, varchar, integer)" in create  # lengths checked by the table
    assert "SELECT $1, $2 WHERE $3 > 0 RETURNING id INTO inserted" in create
    assert "plan_cache_mode = force_generic_plan" in create
    call = stored.call_sql(STATEMENT, TYPES)
    assert call == f"SELECT {name}(%s::bigint, %s::varchar, %s::integer)"


def test_a_changed_statement_is_a_new_function():
    name, _create = stored._definition(STATEMENT, TYPES)
    assert stored._definition(STATEMENT.replace("> 0", ">= 0"), TYPES)[0] != name
    assert stored._definition(STATEMENT, ("bigint", "text", "bigint"))[0] != name


def test_placeholders_and_types_must_agree():
    with pytest.raises(ValueError, match="3 placeholders for 2 types"):
        stored._definition(STATEMENT, TYPES[:2])
    with pytest.raises(ValueError, match="RETURNING id"):
        stored._definition("DELETE FROM t WHERE a = %s", ("bigint",))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_migrate_created_the_function_signing_calls_and_installing_again_is_harmless():
    call = services._insert_call()
    name = call.split("(")[0].removeprefix("SELECT ")
    services.insert_function_install()  # as every migrate does
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname = %s", [name])
        assert cursor.fetchone()[0] == 1
        cursor.execute(
            "SELECT pronargs, proconfig FROM pg_proc WHERE proname = %s", [name],
        )
        arguments, config = cursor.fetchone()
    assert arguments == len(services._insert_types())
    assert config == ["plan_cache_mode=force_generic_plan"]
