"""The signature's INSERT as a PostgreSQL function (chorus/signatures/stored.py)."""

import pytest
from django.db import connection

from chorus.signatures import services, stored

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
