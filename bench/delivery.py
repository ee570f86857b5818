"""How long the delivery document takes, and how much memory, for N named signers.

In its own PostgreSQL database (`chorus_deliverybench`, dropped at the end):
N confirmed signatures (four in five named: Latin, Cyrillic and one in twenty
Arabic names; the rest "a signer from …"), then the document built exactly as
the task worker builds it (`delivery_build`, into private storage), timed,
with the process's peak resident memory before and after.

Usage: python bench/delivery.py [N=100000]
"""

import os
import resource
import subprocess
import sys
import tempfile
import time

DB = "chorus_deliverybench"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = ["Nadia Petrova", "Наталья Иванова", "Jean-Baptiste Moreau", "Олег Смирнов",
         "María José García", "Tomasz Kowalczyk", "Sipho Ndlovu", "Aiko Tanaka",
         "Lukas Schneider", "Екатерина Кузнецова", "Fatima Zahra", "Ingrid Johansson",
         "Giovanni Bianchi", "Дмитрий Волков", "Ana Souza", "Piotr Nowak", "Chloé Martin",
         "Андрей Попов", "Emma Wilson"]
COUNTRIES = ["RU", "DE", "FR", "GB", "ES", "PL", "UA", "EG", "US", "BY"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(n: int) -> None:
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from chorus.organisers.models import Organisation
    from chorus.petitions.models import Petition
    from chorus.signatures.models import DeliveryDocument, Signature

    organisation = Organisation.objects.create(name="Spectrum Alliance", slug="bench")
    petition = Petition.objects.create(
        organisation=organisation, slug="delivery", title="Stop the lawsuit",
        target="The Government of Norvania", ask="Withdraw the lawsuit.", goal=n,
        body="## What we ask\n\nThe government wants to **liquidate** us.\n\n- Withdraw it\n"
             "- Stop the persecution\n")
    petition.open()
    Signature.objects.bulk_create(
        (Signature(petition=petition, email_digest=f"d{i}", country=COUNTRIES[i % 10],
                   name="نادية حسن" if i % 20 == 7 else f"{NAMES[i % 19]} {i}",
                   show_name=i % 5 != 0, state="confirmed", counted=True,
                   confirmation_due=False) for i in range(n)),
        batch_size=5000,
    )
    Petition.objects.filter(pk=petition.pk).update(signature_count=n)
    DeliveryDocument.objects.create(petition=petition)


def build(n: int) -> None:
    # A process of its own, so that its peak memory is the build's, not the seeding's.
    sys.path.insert(0, ROOT)
    import django

    django.setup()
    from django.core.files.storage import storages

    from chorus.signatures.exports.delivery.building import delivery_build
    from chorus.signatures.models import DeliveryDocument

    document = DeliveryDocument.objects.get()
    before = peak_mb()
    started = time.perf_counter()
    assert delivery_build(document_id=document.pk, request=str(document.request))
    seconds = time.perf_counter() - started
    document.refresh_from_db()
    size = storages["private"].size(document.file)
    print(f"delivery: {n:,} signers; {document.pages:,} pages, {size / 1e6:.1f} MB; "
          f"built in {seconds:.1f} s; peak RSS {before:.0f} MB before, {peak_mb():.0f} MB after")


def main(n: int) -> None:
    import psycopg

    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
           "DEBUG": "0", "SECRET_KEY": "delivery-bench-a-long-secret-key-for-the-bench-0123",
           "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING",
           "DJANGO_SETTINGS_MODULE": "chorus.settings",
           "CHORUS_PRIVATE_ROOT": tempfile.mkdtemp(prefix="deliverybench-")}
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DB}")
        pg.execute(f"CREATE DATABASE {DB}")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                       env=env, check=True)
        for step in ("--seed", "--build"):
            subprocess.run([sys.executable, __file__, step, str(n)], cwd=ROOT, env=env,
                           check=True)
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] in ("--seed", "--build"):
        (seed if sys.argv[1] == "--seed" else build)(int(sys.argv[2]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
