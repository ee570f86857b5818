import sys

from django.core.management.base import BaseCommand

from chorus.signatures.services import signatures_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every signer's address and postcode with the newest key in "
        "CHORUS_ENCRYPTION_KEYS, and list rows that no configured key can decrypt."
    )

    def handle(self, *args, **options):
        def progress(done: int, total: int) -> None:
            width = 40
            filled = width * done // total if total else width
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        result = signatures_reencrypt(progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(f"Re-encrypted {result.reencrypted} signatures.")
        if result.undecryptable:
            ids = ", ".join(str(pk) for pk in result.undecryptable)
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.undecryptable)} signatures could not be decrypted with any "
                    f"configured key (left as they are): {ids}"
                )
            )
