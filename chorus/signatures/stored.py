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
import json
import threading
from datetime import datetime
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


def _together_name(name: str) -> str:
    """The name of the function storing several signatures, from the one-signature one's."""
    return name.replace("chorus_signature_insert_", "chorus_signatures_insert_", 1)


def _together_definition(statement: str, params: tuple[tuple[str, str], ...]) -> str:
    """CREATE statement of the function that stores several signatures in one call.

    Its one parameter is a JSON array with one array of values per signature, in the
    one-signature function's order; it calls that function for each, in order (each
    call sees the rows of the ones before, as separate statements would), and answers
    their ids (NULL for a duplicate), in the same order. One parameter whatever the
    number of signatures, so psycopg converts the statement once, not for every call.
    """
    name, _create = _definition(statement, params)
    arguments = ", ".join(f"(r->>{i})::{sql_type}"
                          for i, (_index, sql_type) in enumerate(_distinct(params).values()))
    return (
        f"CREATE OR REPLACE FUNCTION {_together_name(name)}(signatures jsonb) "  # noqa: S608 - ours
        "RETURNS bigint[] LANGUAGE plpgsql AS $chorus$ "
        "DECLARE r jsonb; ids bigint[] := '{}'; BEGIN FOR r IN SELECT value "
        "FROM jsonb_array_elements(signatures) WITH ORDINALITY AS s(value, n) ORDER BY n "
        f"LOOP ids := array_append(ids, {name}({arguments})); END LOOP; "
        "RETURN ids; END $chorus$"
    )


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
        cursor.execute(_together_definition(statement, params))


# --- Signatures that arrive together share one statement and one commit -------------
#
# Each signature is its own transaction, so each waits for its own commit, and in a
# rush PostgreSQL spent more on starting, committing and answering those transactions
# than on the rows (bench/README.md: 300-480 µs of its CPU per signature alone,
# 140-180 µs each for four in one call, 110-120 µs for eight). So while one thread of a
# server process stores its signature, the signatures of the process's other threads
# wait, and then go together: one call of a function that stores each of them
# (`_together_definition`), one implicit transaction, one commit. Nobody waits for a
# batch to fill (a signature that arrives when none is being stored goes at once), a
# call holds at most TOGETHER_MAX, and nobody's answer is given before the commit that
# stores their row: the call stores all of them or none. If it fails, each signature
# of it is stored alone by its own thread, which then meets its own error.

TOGETHER_MAX = 16


class _Waiting:
    """One thread's signature, waiting for a statement to store it."""

    __slots__ = ("alone", "batch", "inserted", "order", "ready", "values")

    def __init__(self, values, order):
        self.values, self.order = values, order
        self.ready = threading.Event()
        self.batch: list[_Waiting] | None = None  # set when this thread is to store them
        self.inserted = None
        self.alone = False


class _Together:
    def __init__(self):
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._busy = False

    def insert(self, sql: str, values: list, *, order, using: str):
        me = _Waiting(values, order)
        with self._lock:
            if self._busy:
                self._queue.append(me)
            else:
                self._busy = True
                me.batch = [me]
        if me.batch is None:
            me.ready.wait()  # until stored by another thread, or handed this batch
        if me.batch is not None:
            try:
                _store(me.batch, sql, using)
            finally:
                self._hand_over()
        return _insert_one(sql, values, using) if me.alone else me.inserted

    def _hand_over(self) -> None:
        """The signatures that arrived meanwhile are the next statement, stored by the first
        of them to arrive."""
        with self._lock:
            if not self._queue:
                self._busy = False
                return
            batch, self._queue = self._queue[:TOGETHER_MAX], self._queue[TOGETHER_MAX:]
            batch[0].batch = batch
            batch[0].ready.set()


def _insert_one(sql: str, values: list, using: str):
    with cursor(using) as c:
        c.execute(sql, values)
        row = c.fetchone()
    return None if row is None else row[0]  # no row: SQLite's answer to a duplicate


@cache
def _together_sql(sql: str) -> str:
    """The call storing several signatures, from the one-signature call `sql`."""
    name = sql.removeprefix("SELECT ").partition("(")[0]
    return f"SELECT {_together_name(name)}(%s::jsonb)"


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()  # with its offset: PostgreSQL reads it back exactly
    raise TypeError(f"{type(value).__name__} is not a signature's value")


def _store(batch: list[_Waiting], sql: str, using: str) -> None:
    """Store `batch` in one statement; its first signature is this thread's."""
    if len(batch) == 1:  # its error is this thread's own: no retry
        batch[0].inserted = _insert_one(sql, batch[0].values, using)
        return
    try:
        # Always in the same order: two processes' statements inserting the same two
        # addresses (one signer posting twice) in opposite orders would deadlock.
        ordered = sorted(batch, key=lambda waiting: waiting.order)
        signatures = json.dumps([waiting.values for waiting in ordered], default=_json_value)
        with cursor(using) as c:
            c.execute(_together_sql(sql), [signatures])
            (ids,) = c.fetchone()
        for waiting, inserted in zip(ordered, ids, strict=True):
            waiting.inserted = inserted
    except BaseException as error:
        for waiting in batch:
            waiting.alone = True
        if not isinstance(error, Exception):
            raise  # this thread is being stopped; the others store theirs alone
    finally:
        for waiting in batch[1:]:
            waiting.ready.set()


_together: dict[str, _Together] = {}
_together_lock = threading.Lock()


def insert(sql: str, values: list, *, order, using: str = "default"):
    """Run the function's call `sql` with `values`: the new row's id, or None.

    On PostgreSQL, in autocommit and outside any transaction, in a statement shared
    with the other signatures of this process that arrive meanwhile (above), ordered
    by `order` (the unique key); otherwise, or on another database, alone.
    """
    connection = connections[using]
    if (connection.vendor != "postgresql" or connection.in_atomic_block
            or not connection.get_autocommit()):
        return _insert_one(sql, values, using)
    with _together_lock:
        together = _together.setdefault(using, _Together())
    return together.insert(sql, values, order=order, using=using)
