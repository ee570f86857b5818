from django.core.management.base import BaseCommand

from chorus.updates.services import handins_announce


class Command(BaseCommand):
    help = (
        "Post an update about each newly recorded hand-in and have the worker e-mail it to "
        "the signers who asked for news; each hand-in once. Each tick of `runperiodic` does "
        "it too."
    )

    def handle(self, *args, **options):
        for update in handins_announce():
            self.stdout.write(f"announced the hand-in of {update.petition.slug}")
