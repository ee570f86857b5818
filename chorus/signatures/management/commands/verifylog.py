"""Run tools/chorus-verify's checks on the server's own log, straight from the database."""

import importlib.machinery
import importlib.util
from functools import cache

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chorus.petitions.models import Petition
from chorus.signatures.transparency import selectors, services


@cache
def verifier():
    """tools/chorus-verify, the very file journalists run, loaded as a module."""
    path = str(settings.BASE_DIR / "tools" / "chorus-verify")
    loader = importlib.machinery.SourceFileLoader("chorus_verify", path)
    spec = importlib.util.spec_from_loader("chorus_verify", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class Database:
    """The evidence as the site serves it, read from the database."""

    def __init__(self, petition: Petition):
        self.petition = petition

    def key_document(self) -> dict:
        return services.public_key_document()

    def log(self) -> dict:
        return {
            "petition": {"id": self.petition.pk, "slug": self.petition.slug},
            "statements": [{"number": statement.seq}
                           for statement in selectors.statements_of(self.petition.pk)],
            "invalidations": [record.as_published()
                              for record in selectors.invalidations_of(self.petition.pk)],
        }

    def statement(self, number: int) -> bytes:
        return selectors.statement_document(self.petition.pk, number).encode()

    def leaves(self, number: int) -> list[bytes]:
        return list(services.snapshot_leaves(self.petition.pk, number))

    def proof(self, receipt: str) -> dict | None:
        return services.inclusion_proof(petition_id=self.petition.pk, receipt_text=receipt)


class Command(BaseCommand):
    help = ("Check every petition's public log (or the named ones) as tools/chorus-verify "
            "does: signatures, chain, roots, counts and that every drop is explained.")

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="only these petitions")

    def handle(self, *args, slugs, **options):
        petitions = Petition.objects.filter(statements__isnull=False).distinct().order_by("pk")
        if slugs:
            petitions = petitions.filter(slug__in=slugs)
        module = verifier()
        failed = 0
        for petition in petitions:
            report = module.verify(Database(petition), report=module.Report(out=self.stdout))
            failed += bool(report.failures)
        if failed:
            raise CommandError(f"{failed} petition logs do not verify")
