from django.core.management.base import BaseCommand

from chorus.signatures.counting.services import signatures_count


class Command(BaseCommand):
    help = (
        "Fold newly confirmed or invalidated signatures into the petitions' counts, once. "
        "This is the first step of `runperiodic`, which also records milestones, closes "
        "petitions and detects trending signers; run that to keep a site going."
    )

    def handle(self, *args, **options):
        run = signatures_count()
        if not run.ran:
            self.stderr.write("Another counter is running; skipped.")
        elif run.changes and options["verbosity"] > 1:
            for petition_id, delta in run.changes.items():
                self.stdout.write(f"petition {petition_id}: {delta:+d}")
