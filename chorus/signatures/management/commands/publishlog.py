from django.core.management.base import BaseCommand

from chorus.signatures.transparency.services import log_publish


class Command(BaseCommand):
    help = ("Count, then publish the statements of the public log that are due (what the "
            "log step of runperiodic does once a minute).")

    def handle(self, *args, **options):
        published = log_publish()
        for statement in published:
            self.stdout.write(f"petition {statement.petition_id}: statement {statement.seq}, "
                              f"{statement.signature_count} signatures")
        self.stdout.write(f"{len(published)} statements published")
