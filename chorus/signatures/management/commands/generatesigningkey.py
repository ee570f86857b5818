from django.core.management.base import BaseCommand

from chorus.signatures.transparency.keys import generated


class Command(BaseCommand):
    help = ("Print a new Ed25519 private key for CHORUS_SIGNING_KEY, which signs the public "
            "log (put it first to rotate, keeping the old one after it until the log has "
            "moved over).")

    def handle(self, *args, **options):
        self.stdout.write(generated())
