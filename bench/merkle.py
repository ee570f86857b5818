"""How long the public log takes: tree roots, proofs, and whole statements on PostgreSQL.

Part 1 (no database): the root over N random leaves, the full tree a proof
needs, and one proof, each against a baseline measured in the same run: N-1
plain SHA-256 calls over 65 bytes, the least work any root needs.

Part 2 (PostgreSQL, its own database, dropped at the end): M counted
signatures with leaves, then the first statement (every leaf new), then one
after 1 % of them withdrew and as many signed, as the counter publishes them.

Usage: python bench/merkle.py [N=1000000] [M=200000]
"""

import datetime
import hashlib
import os
import secrets
import subprocess
import sys
import time

DB = "chorus_merklebench"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def pure(n: int) -> None:
    sys.path.insert(0, ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from chorus.signatures.transparency import merkle

    leaves = sorted(secrets.token_bytes(32) for _ in range(n))
    node = b"\x01" + bytes(64)

    def baseline():
        sha256 = hashlib.sha256
        for _ in range(n - 1):
            sha256(node).digest()

    _, base = timed(baseline)
    _, root = timed(merkle.root_of, leaves)
    tree, full = timed(merkle.MerkleTree, leaves)
    started = time.perf_counter()
    for index in range(0, n, max(1, n // 1000)):
        tree.inclusion_proof(index)
    proof = (time.perf_counter() - started) / min(n, 1000)
    print(f"merkle: {n:,} leaves; baseline {n - 1:,} hashes {base:.2f} s; "
          f"root {root:.2f} s ({root / base:.2f}x); full tree {full:.2f} s "
          f"({full / base:.2f}x); one proof {proof * 1e6:.0f} us")


def database(m: int) -> None:
    import psycopg

    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
           "DEBUG": "0", "SECRET_KEY": "merkle-bench-a-long-secret-key-for-the-benchmark-0123",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "chorus.settings"}
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DB}")
        pg.execute(f"CREATE DATABASE {DB}")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                       env=env, check=True)
        subprocess.run([sys.executable, __file__, "--statements", str(m)], cwd=ROOT, env=env,
                       check=True)
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def statements(m: int) -> None:
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.db.models import F
    from django.utils import timezone

    from chorus.organisers.models import Organisation
    from chorus.petitions.models import Petition
    from chorus.signatures.models import LogHead, Signature
    from chorus.signatures.transparency.receipts import anonymous_leaf
    from chorus.signatures.transparency.services import log_publish

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    petition = Petition.objects.create(organisation=organisation, slug="merkle", title="Bench",
                                       target="Them", ask="Stop.", body="Text.", goal=m)
    petition.open()

    def add(count: int, start: int) -> None:
        Signature.objects.bulk_create(
            (Signature(petition=petition, name="", email_digest=f"d{start + i}", country="DE",
                       state="confirmed", counted=True, confirmation_due=False,
                       receipt_leaf=anonymous_leaf(petition.pk)) for i in range(count)),
            batch_size=5000,
        )
        Petition.objects.filter(pk=petition.pk).update(signature_count=F("signature_count")
                                                       + count)

    add(m, 0)
    LogHead.objects.create(petition=petition, changed_at=petition.opened_at)
    if os.environ.get("MERKLE_BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(log_publish)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(20)
        return
    _, first = timed(log_publish)
    withdrawn = list(Signature.objects.values_list("pk", flat=True)[: m // 100])
    Signature.objects.filter(pk__in=withdrawn).update(state="withdrawn")
    add(m // 100, m)
    Signature.objects.filter(pk__in=withdrawn).update(counted=False)
    Petition.objects.filter(pk=petition.pk).update(signature_count=m)
    # As if an hour has passed since the first statement, with signatures counted since.
    LogHead.objects.filter(pk=petition.pk).update(
        published_at=F("published_at") - datetime.timedelta(hours=1),
        changed_at=timezone.now())
    published, second = timed(log_publish)
    assert published and published[-1].signature_count == m, published
    print(f"statements: {m:,} counted signatures; first statement {first:.1f} s; "
          f"next after {m // 100:,} out and {m // 100:,} in {second:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--statements":
        statements(int(sys.argv[2]))
    else:
        n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
        m = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
        pure(n)
        database(m)
