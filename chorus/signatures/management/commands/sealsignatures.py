from django.core.management.base import BaseCommand

from chorus.signatures.sealing.services import signatures_seal


class Command(BaseCommand):
    help = (
        "Seal to their organisation's key the signatures not sealed yet (signed before the "
        "key was registered), and drop the readable addresses of sealed signatures whose "
        "confirmation has ended. `runperiodic` does this every minute."
    )

    def handle(self, *args, **options):
        sealed = signatures_seal()
        self.stdout.write(f"Signatures sealed: {sealed}.")
