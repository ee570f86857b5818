"""How fast the worker drains queued confirmation e-mails into a real SMTP server.

Seeds N pending signatures whose confirmation is due, starts an SMTP sink
(aiosmtpd) on 127.0.0.1, then runs the confirmation task in W worker
processes at once and reports e-mails/s (compare with signatures/s from
`make bench`, measured in the same session). Uses its own PostgreSQL
database, dropped at the end.

Usage: python bench/mail.py [N=20000] [W=2]
"""

import os
import resource
import socket
import subprocess
import sys
import time

DB = "chorus_mailbench"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(n: int, workers_count: int) -> None:
    import psycopg
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
            Sink.received += 1
            return "250 OK"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "DEBUG": "0", "SECRET_KEY": "mail-bench-a-long-secret-key-for-the-benchmark-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port),
        "EMAIL_USE_TLS": "0", "SITE_URL": "http://127.0.0.1:8600", "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "chorus.settings",
    }
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DB}")
        pg.execute(f"CREATE DATABASE {DB}")
    try:
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        subprocess.run([python, __file__, "--seed", str(n)], cwd=ROOT, env=env, check=True)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        sink_before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        workers = [subprocess.Popen([python, __file__, "--drain"], cwd=ROOT, env=env)
                   for _ in range(workers_count)]
        for worker in workers:
            worker.wait()
        seconds = time.monotonic() - started
        # The workers' own CPU (they are the only children waited for in
        # between): on a shared machine it moves much less than e-mails/s.
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime
               + cpu_after.ru_stime - cpu_before.ru_stime)
        # This process is the SMTP sink: near a whole core, it is what limits the drain.
        sink_after = resource.getrusage(resource.RUSAGE_SELF)
        sink = (sink_after.ru_utime - sink_before.ru_utime
                + sink_after.ru_stime - sink_before.ru_stime)
        subprocess.run([python, __file__, "--check", str(n)], cwd=ROOT, env=env, check=True)
        print(f"e-mails: {n} queued, {Sink.received} received by the SMTP sink, "
              f"{workers_count} workers, {seconds:.1f} s, "
              f"{Sink.received / seconds:,.0f} e-mails/s; "
              f"workers' CPU {cpu:.1f} s, {Sink.received / cpu:,.0f} e-mails per CPU-second; "
              f"SMTP sink CPU {sink:.1f} s ({sink / seconds:.0%} of a core)")
    finally:
        controller.stop()
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres",
                             autocommit=True) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def _django():
    sys.path.insert(0, ROOT)
    import django

    django.setup()


def seed(n: int) -> None:
    _django()
    from chorus.lib.digests import email_digest
    from chorus.organisers.models import Organisation
    from chorus.petitions.models import Petition
    from chorus.signatures.models import Signature

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    petition = Petition.objects.create(
        organisation=organisation, slug="mail", title="Bench petition", target="Them",
        ask="Stop.", body="Text.", goal=1_000_000,
    )
    petition.open()
    addresses = [f"signer{i}@mail.example" for i in range(n)]
    Signature.objects.bulk_create(
        (Signature(petition=petition, name=f"Signer {i}", email=address,
                   email_digest=email_digest(address), email_domain="mail.example",
                   country="DE", confirmation_due=True)
         for i, address in enumerate(addresses)),
        batch_size=2000,
    )


def drain() -> None:
    _django()
    from chorus.signatures.tasks import send_due_confirmations

    if os.environ.get("MAIL_BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(send_due_confirmations.call)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    send_due_confirmations.call()


def check(n: int) -> None:
    _django()
    from chorus.signatures.models import Signature

    left = Signature.objects.filter(confirmation_due=True).count()
    if left:
        sys.exit(f"{left} of {n} confirmations still due after the workers finished")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--seed":
        seed(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "--drain":
        drain()
    elif len(sys.argv) > 1 and sys.argv[1] == "--check":
        check(int(sys.argv[2]))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000,
             int(sys.argv[2]) if len(sys.argv) > 2 else 2)
