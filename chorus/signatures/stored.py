"""The signature's INSERT as a PostgreSQL function, so that it is planned once per connection.

The statement that records a signature (services.signature_create) screens it
in the same INSERT: a few subqueries. Planned afresh for every signature, as
Django's client-side parameters make it, PostgreSQL spent three times as long
planning it as running it (bench/README.md). PL/pgSQL keeps the plans of a
function's statements for as long as the connection lives, and unlike a
prepared statement that needs no state kept in the session, so it works
through PgBouncer in transaction mode too.

The function's body is the very statement SQLite runs (each `%s` becomes the
number of its parameter, a repeated value one parameter), and its name
carries a digest of its definition: `migrate` creates the one the running code
calls (a `post_migrate` receiver), a change to the statement makes a new
function, and a server still running the previous code keeps calling the
previous one until it restarts.
"""

import hashlib
from functools import cache

from django.db import connections

# A generic plan: the parameters never change which index is right (the limits
# lead with the address's digest or the domain, see screening.py), and without
# this PostgreSQL keeps making a custom plan per call for the LIMIT parameters.
_SETTINGS = "SET plan_cache_mode = force_generic_plan"


def _base(sql_type: str) -> str:
    """A column's type without its length: varchar(200) checks the length on INSERT."""
    return sql_type.partition("(")[0].strip()


def _distinct(params: tuple[tuple[str, str], ...]) -> dict[str, tuple[int, str]]:
    """Each parameter's name → (its first placeholder's index, its SQL type), in order."""
    first: dict[str, tuple[int, str]] = {}
    for index, (name, sql_type) in enumerate(params):
        first.setdefault(name, (index, _base(sql_type)))
    return first


def _definition(statement: str, params: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """(name, CREATE statement) of the function running `statement`.

    `params` names each placeholder and gives its SQL type; placeholders with
    the same name are one parameter of the function (the statement repeats the
    petition, the limits, the window), so each value is sent once.
    """
    pieces = statement.split("%s")
    if len(pieces) != len(params) + 1:
        raise ValueError(f"{len(pieces) - 1} placeholders for {len(params)} parameters")
    distinct = _distinct(params)
    number = {name: i for i, name in enumerate(distinct, start=1)}
    body = pieces[0] + "".join(
        f"${number[name]}{piece}" for (name, _type), piece in zip(params, pieces[1:], strict=True)
    )
    if not body.endswith(" RETURNING id"):
        raise ValueError("the statement must end with RETURNING id")
    body += " INTO inserted"
    types = ", ".join(sql_type for _index, sql_type in distinct.values())
    digest = hashlib.sha256(f"{types}\n{body}".encode()).hexdigest()[:12]
    name = f"chorus_signature_insert_{digest}"
    create = (
        f"CREATE OR REPLACE FUNCTION {name}({types}) RETURNS bigint "
        f"LANGUAGE plpgsql {_SETTINGS} AS $chorus$ "
        f"DECLARE inserted bigint; BEGIN {body}; RETURN inserted; END $chorus$"
    )
    return name, create


@cache
def call(statement: str, params: tuple[tuple[str, str], ...]) -> tuple[str, tuple[int, ...]]:
    """The SELECT that runs `statement` through its function (one row: the new id or
    NULL), and which of the statement's values it takes, by index."""
    name, _create = _definition(statement, params)
    distinct = _distinct(params).values()
    sql = f"SELECT {name}({', '.join(f'%s::{sql_type}' for _index, sql_type in distinct)})"
    return sql, tuple(index for index, _type in distinct)


def cursor(using: str = "default"):
    """A cursor of Django's whose parameters travel apart from the statement (PostgreSQL).

    Django quotes parameters into the statement's text (client-side binding); for
    the call of this function, with its thirty parameters, that quoting and
    PostgreSQL's parsing of the literals cost more than sending them as
    parameters. psycopg prepares nothing when DATABASE_TRANSACTION_POOLER sets
    prepare_threshold to None (settings.py), so this works through PgBouncer too.
    Elsewhere, Django's own cursor.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # What connection.cursor() does, with another kind of psycopg cursor: Django's
        # wrapper (error translation, execute_wrappers, the queries DEBUG logs) around it.
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def install(statement: str, params: tuple[tuple[str, str], ...], *,
            using: str = "default") -> None:
    """Create the function for `statement` if it is missing (PostgreSQL only)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    _name, create = _definition(statement, params)
    with connection.cursor() as cursor:
        cursor.execute(create)
