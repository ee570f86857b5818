"""Races that only a real concurrent database can show (PostgreSQL).

Each thread has its own connection and its own transaction, as server
processes do; a Barrier makes them start together.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from chorus.lib.digests import email_digest
from chorus.petitions.models import Petition
from chorus.signatures.counting import signatures_count, signatures_recount
from chorus.signatures.models import Signature
from chorus.signatures.tokens import confirmation_token

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]

THREADS = 50


def at_once(work, arguments):
    """Run work(argument) in one thread per argument, all starting together."""
    barrier = threading.Barrier(len(arguments))

    def run(argument):
        try:
            barrier.wait()
            return work(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(run, arguments))


def spellings(n):
    forms = ["Nadia.Petrova@gmail.com", " nadiapetrova+{}@googlemail.com ",
             "NADIA.PETROVA@GMAIL.COM", "n.a.d.i.a.petrova+x{}@gmail.com", "nadiapetrova@gmail.com"]
    return [forms[i % len(forms)].format(i) for i in range(n)]


def test_fifty_spellings_of_one_address_at_once_make_one_signature(petition, signer):
    def sign(email):
        response = Client().post(f"/petitions/{petition.slug}/sign/", {**signer, "email": email})
        return response.status_code, response.get("Location"), response.content

    responses = at_once(sign, spellings(THREADS))
    assert Signature.objects.count() == 1
    assert len(set(responses)) == 1
    assert responses[0][0] == 302


def test_concurrent_duplicates_never_exceed_the_email_limit(petition, signer, settings):
    settings.CHORUS_CONFIRMATION_MAX_SENDS = 3
    at_once(lambda email: Client().post(f"/petitions/{petition.slug}/sign/",
                                        {**signer, "email": email}), spellings(THREADS))
    assert Signature.objects.get().confirmation_sends == 3


def test_fifty_confirmations_of_one_link_count_once(petition):
    signature = Signature.objects.create(
        petition=petition, name="Nadia", email="nadia@example.org",
        email_digest=email_digest("nadia@example.org"), country="DE",
    )
    link = f"/confirm/{confirmation_token(signature.pk)}/"
    statuses = at_once(lambda _: Client().post(link).status_code, range(THREADS))
    assert set(statuses) == {200}
    signature.refresh_from_db()
    assert signature.state == Signature.State.CONFIRMED
    signatures_count()
    signatures_count()
    assert Petition.objects.get(pk=petition.pk).signature_count == 1


def test_counters_running_at_once_never_double_count(petition):
    total = 2_000
    Signature.objects.bulk_create(
        Signature(petition=petition, name=f"S{i}", email=f"s{i}@example.org",
                  email_digest=email_digest(f"s{i}@example.org"), country="FR",
                  state=Signature.State.CONFIRMED if i < total // 2 else Signature.State.PENDING)
        for i in range(total)
    )
    pending = list(Signature.objects.filter(state=Signature.State.PENDING).order_by("pk"))
    batches = [pending[i::4] for i in range(4)]

    def confirm_batch(batch):
        for signature in batch:
            signature.confirm()

    def work(role):
        # Four counters and four confirmers, interleaved.
        if role < 4:
            return [signatures_count().ran for _ in range(5)]
        confirm_batch(batches[role - 4])
        return None

    results = at_once(work, list(range(8)))
    assert any(ran for runs in results[:4] for ran in runs)
    signatures_count()
    assert Petition.objects.get(pk=petition.pk).signature_count == total
    assert signatures_recount() == []


def test_a_second_counter_waits_its_turn(petition):
    """While one runner holds the lock, another does nothing rather than count."""
    Signature.objects.create(
        petition=petition, name="A", email="a@example.org", email_digest="a" * 64,
        country="DE", state=Signature.State.CONFIRMED,
    )
    holding = threading.Event()
    release = threading.Event()

    def first():
        from chorus.signatures import counting

        try:
            with counting._counter_lock() as locked:
                assert locked
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(10)
    try:
        run = at_once(lambda _: signatures_count(), [0])[0]
    finally:
        release.set()
        thread.join()
    assert run.ran is False
    assert Petition.objects.get(pk=petition.pk).signature_count == 0
    assert signatures_count().changes == {petition.pk: 1}
