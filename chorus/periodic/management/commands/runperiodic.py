import contextlib
import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chorus.lib.database import connections_reset
from chorus.periodic.lease import holder_name, lease_release
from chorus.periodic.steps import STEPS, Schedule


def _steps_help() -> str:
    lines = []
    for number, step in enumerate(STEPS, 1):
        often = f"at most every {step.every:g} s" if step.every else "every tick"
        lines.append(f"{number}. {step.name}: {step.does} ({often}; alone: {step.command})")
    return " ".join(lines)


class Command(BaseCommand):
    help = (
        "Run Chorus's periodic work, one tick every --interval seconds (or once with "
        f"--once). Each tick, in order: {_steps_help()}."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one tick and stop (cron).")
        parser.add_argument(
            "--interval", type=float, default=settings.CHORUS_COUNT_INTERVAL, metavar="SECONDS",
            help="Seconds between ticks (default CHORUS_COUNT_INTERVAL, %(default)s).",
        )

    def handle(self, *args, once=False, interval=None, **options):
        schedule = Schedule(holder=holder_name())
        # systemd stops it with SIGTERM: leave through `finally`, giving the lease up,
        # so that another server's runperiodic takes over at once rather than after
        # CHORUS_PERIODIC_LEASE_SECONDS.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            self._run(schedule, once=once, interval=interval, **options)
        finally:
            with contextlib.suppress(Exception):  # stopping anyway; the lease expires by itself
                lease_release(holder=schedule.holder)

    def _run(self, schedule, *, once, interval, **options):
        was_standby = False
        while True:
            tick = schedule.tick()
            if tick.standby != was_standby:
                was_standby = tick.standby
                self.stderr.write(
                    "another runperiodic holds the lease; waiting to take over"
                    if tick.standby else "holding the lease: running the periodic work"
                )
            if options["verbosity"] > 1:
                for petition_id, delta in tick.count_changes.items():
                    self.stdout.write(f"petition {petition_id}: {delta:+d}")
            if once:
                if tick.database_error is not None:
                    raise CommandError(f"the database could not be reached: {tick.database_error}")
                return
            # Dropped or expired connections reconnect on the next tick; while the
            # database is down, ticks come no faster than pages ask people to retry.
            connections_reset()
            if tick.database_error is not None:
                time.sleep(max(interval, settings.CHORUS_RETRY_AFTER_SECONDS))
            else:
                time.sleep(interval)
