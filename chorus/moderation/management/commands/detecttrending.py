from django.core.management.base import BaseCommand

from chorus.moderation.abuse.services import trending_detect


class Command(BaseCommand):
    help = ("Flag IP digests and e-mail domains that signed one petition unusually often "
            "in the last window (`runperiodic` also does this once a minute).")

    def handle(self, *args, **options):
        opened = trending_detect()
        if options["verbosity"] > 0:
            self.stdout.write(f"{len(opened)} new flags")
        for flag in opened:
            if options["verbosity"] > 1:
                self.stdout.write(f"{flag.petition.slug} {flag.kind} {flag.short_value}: "
                                  f"{flag.count}")
