"""Two verifiers accepting one batch at the same moment count it once (PostgreSQL only:
SQLite's single writer would serialise them and prove nothing)."""

import pytest
from django.db import connection

from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import PaperBatch, Signature
from chorus.signatures.paper import services
from chorus.signatures.paper.tests.conftest import rows, type_in
from chorus.signatures.tests.test_concurrency import at_once
from chorus.testing import make_member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_verifiers_racing_on_one_batch_count_it_once(petition, editor, organisation):
    verifiers = [make_member(organisation, f"verifier{n}@example.org", "editor")
                 for n in range(8)]
    batch = services.batch_create(petition=petition, actor=editor, collector="Stall",
                                  expected_rows=3)
    typed = rows("Anna Berg", "Boris Kahn", "Chen Li", emails={1: "anna@example.org"})
    type_in(batch, 1, editor, typed)
    type_in(batch, 2, verifiers[0], typed)

    results = at_once(lambda verifier: services.batch_verify(
        batch=PaperBatch.objects.get(pk=batch.pk), actor=verifier, corrections={}), verifiers)
    signatures_count()

    assert sum(result.verified for result in results) == 1
    assert Signature.objects.filter(paper_batch=batch).count() == 3
    petition.refresh_from_db()
    assert petition.signature_count == 3
