from django.conf import settings
from django.core.management.base import BaseCommand

from chorus.demo.services import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load demo content (an organisation, petitions and signatures) into an empty site."

    def handle(self, *args, **options):
        organisation = load_demo()
        if organisation is None:
            self.stdout.write("Demo content is already there.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Loaded demo content for {organisation}."))
            if settings.DEBUG:
                self.stdout.write(
                    f"Log in as organiser@example.org (an owner) or moderator@example.org "
                    f"(staff), password {DEMO_PASSWORD!r}."
                )
