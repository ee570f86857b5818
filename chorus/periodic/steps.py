"""Everything Chorus does on a clock, in the order of one tick.

`manage.py runperiodic` runs a tick every CHORUS_COUNT_INTERVAL seconds (this
is what `make run` starts); `runperiodic --once` runs one tick, for cron. A
step that fails is logged and the tick goes on: a broken webhook must never
stop the counting. Each step also has its own command, named in STEPS. While the
database cannot be reached, a tick stops at the first step that finds out, and
the next tick tries again.

Sending e-mail is not here: the task worker (`db_worker`) does it (the
confirmations and reminders steps only enqueue its tasks), and `sendmailings` resumes an
interrupted mailing.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic

from django.conf import settings
from django.utils import timezone

from chorus.lib.database import UNREACHABLE, connections_reset
from chorus.moderation.abuse.services import trending_detect
from chorus.periodic.lease import lease_hold
from chorus.petitions.closing import petitions_close_due
from chorus.petitions.milestones import milestones_record
from chorus.petitions.targets.services import target_reminders_schedule
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.sealing.services import signatures_seal
from chorus.signatures.services import confirmations_retry, reminders_schedule
from chorus.signatures.transparency.services import log_publish
from chorus.updates.services import handins_announce

logger = logging.getLogger(__name__)


@dataclass
class Tick:
    """What one tick has found so far, for the steps after it."""

    now: datetime.datetime = field(default_factory=lambda: timezone.now())
    # Petition id → change in count, from the counting step.
    count_changes: dict[int, int] = field(default_factory=dict)
    # Set when the database could not be reached: the tick stopped there.
    database_error: Exception | None = None
    # Set when another process holds the periodic lease: this one did nothing.
    standby: bool = False


def _count(tick: Tick) -> None:
    run = signatures_count()
    if not run.ran:
        logger.info("another counter is running; this tick counts nothing")
    tick.count_changes = run.changes


def _milestones(tick: Tick) -> None:
    # Only the petitions whose count just changed can have passed a milestone.
    if tick.count_changes:
        milestones_record(petition_ids=list(tick.count_changes), now=tick.now)


def _log(tick: Tick) -> None:
    log_publish(now=tick.now, counted=tick.count_changes)


def _close(tick: Tick) -> None:
    petitions_close_due(now=tick.now)


def _trending(tick: Tick) -> None:
    trending_detect()


def _confirmations(tick: Tick) -> None:
    confirmations_retry(now=tick.now)


def _reminders(tick: Tick) -> None:
    reminders_schedule(now=tick.now)


def _seal(tick: Tick) -> None:
    signatures_seal()


def _handins(tick: Tick) -> None:
    handins_announce(now=tick.now)


def _answers(tick: Tick) -> None:
    target_reminders_schedule(now=tick.now)


@dataclass(frozen=True)
class Step:
    name: str
    does: str
    command: str
    run: Callable[[Tick], None]
    # At most once in this many seconds; None: on every tick.
    every: float | None = None


STEPS = [
    Step("count", "fold newly confirmed or invalidated signatures into the petitions' counts "
         "and this hour's count history", "countsignatures", _count),
    Step("log", "publish the signed statements of the public log that are due (hourly while "
         "a count changes, daily while a petition is open)", "publishlog", _log, every=60.0),
    Step("milestones", "record the milestones those petitions passed and e-mail their "
         "organisers", "recordmilestones", _milestones),
    Step("close", "close open petitions whose closing date has passed", "closepetitions", _close),
    Step("trending", "flag IP digests and e-mail domains signing one petition unusually often",
         "detecttrending", _trending, every=60.0),
    Step("confirmations", "have the worker send confirmation e-mails left unsent by a worker "
         "that died or a mail server that failed", "sendconfirmations", _confirmations,
         every=60.0),
    Step("reminders", "have the worker remind signers who have not confirmed yet",
         "sendreminders", _reminders, every=300.0),
    Step("seal", "seal to their organisation's key the signatures not sealed yet, and drop "
         "the readable addresses of sealed ones that no longer need them", "sealsignatures",
         _seal, every=60.0),
    Step("handins", "tell the signers who asked for news about a newly recorded hand-in "
         "(an update, e-mailed by the worker)", "announcehandins", _handins),
    Step("answers", "have the worker remind the organisers, once per target, of an answer "
         "that is overdue", "remindanswers", _answers, every=300.0),
]


class Schedule:
    """Runs the steps that are due; remembers when each last ran in this process."""

    def __init__(self, steps: list[Step] | None = None, clock: Callable[[], float] = monotonic,
                 holder: str | None = None):
        self.steps = STEPS if steps is None else steps
        self.clock = clock
        # With a holder, steps run only while it holds the lease (lease.py), renewed
        # before each step: a second runperiodic on another server waits, and takes
        # over within CHORUS_PERIODIC_LEASE_SECONDS of this one dying.
        self.holder = holder
        self.last_run: dict[str, float] = {}
        self.database_down_since: datetime.datetime | None = None

    def due(self, step: Step, at: float) -> bool:
        last = self.last_run.get(step.name)
        return step.every is None or last is None or at - last >= step.every

    def tick(self) -> Tick:
        tick = Tick()
        for index, step in enumerate(self.steps):
            at = self.clock()
            if not self.due(step, at):
                continue
            try:
                if self.holder and not lease_hold(
                    holder=self.holder, seconds=settings.CHORUS_PERIODIC_LEASE_SECONDS
                ):
                    tick.standby = True
                    break
                self.last_run[step.name] = at
                step.run(tick)
            except UNREACHABLE as error:
                # Every later step would fail the same way: stop, and let this one and
                # those after it run as soon as the database is back.
                for skipped in self.steps[index:]:
                    self.last_run.pop(skipped.name, None)
                connections_reset()
                tick.database_error = error
                break
            except Exception:
                logger.exception("periodic step %r failed", step.name)
        self._note_database(tick)
        return tick

    def _note_database(self, tick: Tick) -> None:
        """One line when the database becomes unreachable and one when it is back,
        however many ticks fail in between."""
        if tick.database_error is not None and self.database_down_since is None:
            self.database_down_since = tick.now
            logger.warning(
                "database unreachable (%s: %s); trying again every tick",
                type(tick.database_error).__name__,
                (str(tick.database_error).strip().splitlines() or [""])[0][:200],
            )
        elif tick.database_error is None and self.database_down_since is not None:
            logger.warning("database reachable again after %s",
                           tick.now - self.database_down_since)
            self.database_down_since = None
