from django.core.management.base import BaseCommand

from chorus.signatures.tasks import send_due_reminders


class Command(BaseCommand):
    help = (
        "Send every reminder to confirm that is due, once. `runperiodic` has the worker do "
        "this every five minutes; run it from cron if you do not run that."
    )

    def handle(self, *args, **options):
        sent = send_due_reminders.call()
        self.stdout.write(f"Reminders sent: {sent}.")
