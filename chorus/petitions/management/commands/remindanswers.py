from django.core.management.base import BaseCommand

from chorus.petitions.targets.services import target_reminders_schedule


class Command(BaseCommand):
    help = (
        "Queue the one reminder to the organisers of each target whose answer is overdue; "
        "the task worker sends them. Run it from cron, e.g. hourly; `runperiodic` does it "
        "every five minutes."
    )

    def handle(self, *args, **options):
        due = target_reminders_schedule()
        if options["verbosity"] > 1 or due:
            self.stdout.write(f"queued reminders for {len(due)} targets")
