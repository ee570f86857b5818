from django.core.management.base import BaseCommand

from chorus.signatures.counting.services import signatures_recount


class Command(BaseCommand):
    help = "Recount every petition's confirmed signatures and correct any drift."

    def add_arguments(self, parser):
        parser.add_argument("petition_ids", nargs="*", type=int)

    def handle(self, *args, petition_ids, **options):
        drifts = signatures_recount(petition_ids=petition_ids or None)
        for drift in drifts:
            self.stdout.write(
                f"petition {drift.petition_id}: cached {drift.cached}, actual {drift.actual}"
                f" ({drift.actual - drift.cached:+d}), corrected"
            )
        if not drifts:
            self.stdout.write("No drift: every count matched.")
