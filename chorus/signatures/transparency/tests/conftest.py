import datetime
import hashlib
import importlib.machinery
import importlib.util
import re

import pytest
from django.conf import settings
from django.utils import timezone

from chorus.signatures.models import Signature
from chorus.signatures.services import signature_create

HOUR = datetime.timedelta(hours=1)
RECEIPT = re.compile(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}")


def load_verifier():
    path = str(settings.BASE_DIR / "tools" / "chorus-verify")
    loader = importlib.machinery.SourceFileLoader("chorus_verify_under_test", path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def verifier():
    return load_verifier()


class Clock:
    """timezone.now() as the test says: hours pass in an instant.

    It starts yesterday morning, so that the hours it moves on stay behind the
    database's own clock (rows stamped by PostgreSQL's now(), such as a batch's
    creation, must not look older than the signatures the test made).
    """

    def __init__(self, monkeypatch):
        yesterday = timezone.now() - datetime.timedelta(days=1)
        self.now = yesterday.replace(hour=9, minute=5, second=0, microsecond=0)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, delta=HOUR):
        self.now += delta
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def confirmed(petition, email: str, **fields) -> Signature:
    """A signature signed and confirmed the way the pages do it."""
    signature_create(petition_id=petition.pk, name=fields.pop("name", "Signer"), email=email,
                     country=fields.pop("country", "DE"), **fields)
    signature = Signature.objects.get(
        petition=petition, email_digest=_digest(email))
    signature.confirm()
    return signature


def _digest(email):
    from chorus.lib.digests import email_digest

    return email_digest(email)


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
