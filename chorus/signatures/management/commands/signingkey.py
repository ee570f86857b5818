from django.core.management.base import BaseCommand

from chorus.signatures.transparency.keys import signing_keys


class Command(BaseCommand):
    help = ("Print the public key (base64) and fingerprint that verify the public log, as "
            "/.well-known/chorus/signing-key serves them; older configured keys follow.")

    def handle(self, *args, **options):
        for index, key in enumerate(signing_keys()):
            role = "current" if index == 0 else "previous"
            self.stdout.write(f"{role} public key: {key.public_base64}")
            self.stdout.write(f"{role} fingerprint: {key.fingerprint}")
