from django.core.management.base import BaseCommand, CommandError

from chorus.updates.tasks import mailings_resume


class Command(BaseCommand):
    help = (
        "Carry on every update mailing that has not finished (after a mail server failure). "
        "Safe to run at any time, e.g. from cron: nobody gets an update twice."
    )

    def handle(self, *args, **options):
        resumed, failing = mailings_resume()
        if options["verbosity"] > 1 or failing:
            self.stdout.write(f"{resumed} mailings resumed, {failing} still failing.")
        if failing:
            raise CommandError(f"{failing} mailings could not be finished; see the log.")
