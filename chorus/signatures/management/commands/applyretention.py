from django.core.management.base import BaseCommand

from chorus.signatures.services import signatures_apply_retention


class Command(BaseCommand):
    help = "Delete and anonymise signers' data as the retention settings say. Run daily."

    def handle(self, *args, **options):
        result = signatures_apply_retention()
        self.stdout.write(
            f"Deleted {result.unconfirmed_deleted} unconfirmed signatures and "
            f"{result.ip_digests_deleted} IP digests; anonymised {result.anonymised} signatures."
        )
