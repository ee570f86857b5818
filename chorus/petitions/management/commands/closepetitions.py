from django.core.management.base import BaseCommand

from chorus.petitions.closing import petitions_close_due


class Command(BaseCommand):
    help = (
        "Close every open petition whose closing date has passed. Run it from cron, e.g. every "
        "minute; each tick of `runperiodic` does it too."
    )

    def handle(self, *args, **options):
        closed = petitions_close_due()
        if options["verbosity"] > 1 or closed:
            for petition in closed:
                self.stdout.write(f"closed {petition.slug}")
