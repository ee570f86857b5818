import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from chorus.moderation.abuse.services import trending_detect_every_minute
from chorus.signatures.counting.services import signatures_count


class Command(BaseCommand):
    help = "Fold newly confirmed or invalidated signatures into the petitions' counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=float, nargs="?", const=settings.CHORUS_COUNT_INTERVAL,
            metavar="SECONDS",
            help="Keep running, once every SECONDS (default %(const)s).",
        )

    def handle(self, *args, every=None, **options):
        while True:
            run = signatures_count()
            if not run.ran:
                self.stderr.write("Another counter is running; skipped.")
            elif run.changes and options["verbosity"] > 1:
                for petition_id, delta in run.changes.items():
                    self.stdout.write(f"petition {petition_id}: {delta:+d}")
            trending_detect_every_minute()
            if every is None:
                return
            close_old_connections()
            time.sleep(every)
