import pytest

from chorus.signatures.paper import services
from chorus.testing import make_member


@pytest.fixture
def second_editor(organisation):
    return make_member(organisation, "sasha.second@example.org", "editor")


@pytest.fixture
def batch(petition, editor):
    return services.batch_create(petition=petition, actor=editor, collector="Market stall team",
                                 expected_rows=3, collected_where="Central market")


def rows(*names, emails=None):
    emails = emails or {}
    return {line: {"name": name, "country": "DE", "email": emails.get(line, ""),
                   "updates": bool(emails.get(line))}
            for line, name in enumerate(names, start=1)}


def type_in(batch, number, actor, typed):
    services.entry_save_rows(batch=batch, number=number, actor=actor, rows=typed)
    services.entry_finish(batch=batch, number=number, actor=actor)
    batch.refresh_from_db()
