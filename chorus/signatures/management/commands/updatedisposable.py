import urllib.request

from django.core.management.base import BaseCommand, CommandError

from chorus.signatures import screening

# The maintained list (MIT licence) that the `disposable-email-domains` package ships.
DEFAULT_URL = (
    "https://raw.githubusercontent.com/disposable-email-domains/disposable-email-domains/"
    "main/disposable_email_blocklist.conf"
)
TIMEOUT_SECONDS = 30
MAX_BYTES = 10 * 1024 * 1024
HEADER = (
    "# Disposable e-mail domains: signatures from them are held for review.\n"
    "# From https://github.com/disposable-email-domains/disposable-email-domains (MIT).\n"
    "# Update with `manage.py updatedisposable`.\n"
)


class Command(BaseCommand):
    help = "Download the current list of disposable e-mail domains and replace the stored one."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=DEFAULT_URL, help="where to download the list")

    def handle(self, *args, url: str, **options):
        if not url.startswith("https://"):
            raise CommandError("The list must come over https.")
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                body = response.read(MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Could not download the list: {error}") from error
        if len(body) > MAX_BYTES:
            raise CommandError("The answer is too large to be the list.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CommandError("The answer is not a text list of domains.") from error
        domains = screening.parse_domain_list(text)
        # An error page or a login wall must not replace the list with nothing.
        if not domains or "<" in text or any(" " in d or "." not in d for d in domains):
            raise CommandError("The answer is not a list of domains (empty or HTML); "
                               "the stored list is unchanged.")
        target = screening.DISPOSABLE_DOMAINS_FILE
        temporary = target.with_suffix(".tmp")
        temporary.write_text(HEADER + "".join(f"{d}\n" for d in sorted(domains)),
                             encoding="utf-8")
        temporary.replace(target)  # atomic: a reader never sees half a list
        screening.disposable_domains.cache_clear()
        self.stdout.write(f"{len(domains)} disposable domains stored in {target}.")
        self.stdout.write("Restart the web servers to use the new list.")
