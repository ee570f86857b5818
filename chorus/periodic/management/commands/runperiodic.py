import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

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
        schedule = Schedule()
        while True:
            tick = schedule.tick()
            if options["verbosity"] > 1:
                for petition_id, delta in tick.count_changes.items():
                    self.stdout.write(f"petition {petition_id}: {delta:+d}")
            if once:
                return
            close_old_connections()
            time.sleep(interval)
