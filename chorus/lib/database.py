"""When the database cannot be reached: which errors mean that, and what to do about them.

PostgreSQL restarting or failing over is an outage of seconds; a page should say
"try again in a moment" (503), and a process should wait and go on, not die.
"""

import logging
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger("chorus.database")

# OperationalError: the server refused, dropped or timed out the connection (and, on
# SQLite, a locked file). InterfaceError: the connection was already closed. Errors in
# our own SQL or data (IntegrityError, ProgrammingError, DataError) are bugs and stay 500s.
UNREACHABLE = (OperationalError, InterfaceError)

# One line per process at most this often, however many requests fail meanwhile.
_LOG_EVERY_SECONDS = 10.0
_log_state = {"at": None, "suppressed": 0}


def is_unreachable(error: BaseException | None) -> bool:
    """Whether this error means the database cannot be reached just now."""
    return isinstance(error, UNREACHABLE)


def connections_reset() -> None:
    """Drop every connection that no longer works, so the next query reconnects by itself."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close_if_unusable_or_obsolete()
        except DatabaseError:
            # Closing a dead connection can fail too; Django forgets it either way.
            pass


def outage_log(error: BaseException, where: str) -> None:
    """Log that the database could not be reached, at most once in a while.

    Only the error's class and first line: a connection error names the server and
    port, never a signer (the values of a query appear in IntegrityError and
    DataError details, which are not outages). `where` must not be a URL path:
    paths carry signers' private tokens.
    """
    now = time.monotonic()
    last = _log_state["at"]
    if last is not None and now - last < _LOG_EVERY_SECONDS:
        _log_state["suppressed"] += 1
        return
    first_line = (str(error).strip().splitlines() or [""])[0][:200]
    logger.warning(
        "database unreachable during %s: %s: %s (%d more since the last line)",
        where, type(error).__name__, first_line, _log_state["suppressed"],
    )
    _log_state.update(at=now, suppressed=0)


def retry_later(response: HttpResponse) -> HttpResponse:
    """Make a response a 503 that asks to try again soon, and that nobody caches."""
    response.status_code = 503
    response["Retry-After"] = str(settings.CHORUS_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
