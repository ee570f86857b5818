from django.core.management.base import BaseCommand

from chorus.petitions.milestones import milestones_record


class Command(BaseCommand):
    help = (
        "Record the milestones that open petitions have passed and e-mail their organisers. "
        "Each tick of `runperiodic` does this for the petitions whose count just changed."
    )

    def handle(self, *args, **options):
        for milestone in milestones_record():
            if options["verbosity"] > 1:
                self.stdout.write(f"{milestone.petition.slug}: {milestone.threshold}")
