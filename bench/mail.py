"""How fast the worker drains queued confirmation e-mails into a real SMTP server.

Seeds N pending signatures whose confirmation is due, starts an SMTP sink
on 127.0.0.1, then runs the confirmation task in W worker processes at once
and reports e-mails/s (compare with signatures/s from `make bench`, measured
in the same session). Uses its own PostgreSQL database, dropped at the end.

The sink is Postfix's smtp-sink (a C server made for measuring mail clients;
bench/run installs it) when it is there: aiosmtpd, the tests' sink, spends
about 10 times its CPU per message, which on two cores is taken from the
workers being measured. BENCH_SMTP_SINK=aiosmtpd uses aiosmtpd all the same.

Usage: python bench/mail.py [N=20000] [W=2]
"""

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DB = "chorus_mailbench"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _Aiosmtpd:
    """The tests' SMTP sink, in this process."""

    name = "aiosmtpd"

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - its name
                sink.count += 1
                return "250 OK"

        self.count = 0
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        self._cpu = self._own_cpu()

    @staticmethod
    def _own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def cpu(self) -> float:
        return self._own_cpu() - self._cpu

    def received(self) -> int:
        return self.count

    def stop(self) -> None:
        if self.controller.loop.is_running():
            self.controller.stop()


class _SmtpSink:
    """Postfix's smtp-sink: accepts and discards, counting messages (-c)."""

    name = "Postfix smtp-sink"

    def __init__(self, port: int, program: str):
        user = ["-u", "nobody"] if os.geteuid() == 0 else []  # it refuses to run as root
        # Its counter goes to a file: a pipe nobody reads would fill and stop it.
        self.log = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(
            [program, *user, "-c", f"127.0.0.1:{port}", "256"],
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.stopped = False

    def cpu(self) -> float:
        # utime and stime, in clock ticks, are fields 14 and 15 of /proc/<pid>/stat.
        with open(f"/proc/{self.process.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def received(self) -> int:
        self.log.seek(0)
        counts = re.findall(r"mesg=(\d+)", self.log.read())
        return int(counts[-1]) if counts else 0

    def stop(self) -> None:
        if not self.stopped:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.stopped = True


def _sink(port: int):
    program = shutil.which("smtp-sink") or shutil.which("/usr/sbin/smtp-sink")
    if program and os.environ.get("BENCH_SMTP_SINK", "smtp-sink") != "aiosmtpd":
        return _SmtpSink(port, program)
    return _Aiosmtpd(port)


def main(n: int, workers_count: int) -> None:
    import psycopg

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
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
    sink = None
    try:
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env,
                       check=True)
        subprocess.run([python, __file__, "--seed", str(n)], cwd=ROOT, env=env, check=True)
        sink = _sink(port)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
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
        sink_cpu = sink.cpu()
        sink.stop()
        received = sink.received()
        subprocess.run([python, __file__, "--check", str(n)], cwd=ROOT, env=env, check=True)
        print(f"e-mails: {n} queued, {received} received by the SMTP sink ({sink.name}), "
              f"{workers_count} workers, {seconds:.1f} s, "
              f"{received / seconds:,.0f} e-mails/s; "
              f"workers' CPU {cpu:.1f} s, {received / cpu:,.0f} e-mails per CPU-second; "
              f"SMTP sink CPU {sink_cpu:.1f} s ({sink_cpu / seconds:.0%} of a core)")
    finally:
        if sink is not None:
            sink.stop()
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
