from django.core.management.base import BaseCommand

from chorus.signatures.tasks import send_due_confirmations


class Command(BaseCommand):
    help = (
        "Send every confirmation e-mail that is due, including those a stopped worker left "
        "once their lease (CHORUS_MAIL_LEASE_SECONDS) has run out. The worker does this on its "
        "own; run it from cron as a safety net, or after restoring a backup."
    )

    def handle(self, *args, **options):
        sent = send_due_confirmations.call()
        self.stdout.write(f"Sent {sent} confirmation e-mails.")
