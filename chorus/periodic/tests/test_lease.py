import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from chorus.periodic.lease import lease_hold, lease_release
from chorus.periodic.models import Lease
from chorus.periodic.steps import Schedule, Step

pytestmark = pytest.mark.django_db


def test_one_holder_at_a_time_until_its_lease_expires():
    now = timezone.now()
    assert lease_hold(holder="a", seconds=30, now=now)
    assert not lease_hold(holder="b", seconds=30, now=now + datetime.timedelta(seconds=29))
    assert lease_hold(holder="a", seconds=30, now=now + datetime.timedelta(seconds=29))
    # a stops renewing: b takes over once a's last renewal has run out.
    assert not lease_hold(holder="b", seconds=30, now=now + datetime.timedelta(seconds=58))
    assert lease_hold(holder="b", seconds=30, now=now + datetime.timedelta(seconds=60))
    assert not lease_hold(holder="a", seconds=30, now=now + datetime.timedelta(seconds=61))


def test_a_released_lease_is_taken_at_once():
    assert lease_hold(holder="a", seconds=30)
    lease_release(holder="b")  # not b's to give up
    assert not lease_hold(holder="b", seconds=30)
    lease_release(holder="a")
    assert lease_hold(holder="b", seconds=30)


def test_a_second_schedule_waits_while_the_first_holds_the_lease():
    ran = []
    steps = [Step("one", "", "", lambda tick: ran.append("one"))]
    first = Schedule(steps, holder="node-a")
    second = Schedule(steps, holder="node-b")
    assert not first.tick().standby
    tick = second.tick()
    assert tick.standby
    assert ran == ["one"]
    Lease.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert not second.tick().standby
    assert ran == ["one", "one"]
    assert first.tick().standby


def test_runperiodic_once_gives_its_lease_back():
    call_command("runperiodic", "--once")
    assert not Lease.objects.exists()
    assert lease_hold(holder="another", seconds=30)


def test_runperiodic_stopped_by_sigterm_gives_its_lease_back(tmp_path):
    """As systemd stops it: the lease is free at once for another server's runperiodic."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a second process needs a database it can share (PostgreSQL)")
    database = settings.DATABASES["default"]
    url = (f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
           f"{database['PORT'] or 5432}/{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "runperiodic", "--interval", "0.2"], env=env,
        cwd=settings.BASE_DIR, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while not Lease.objects.exists():
            assert time.monotonic() < deadline, "runperiodic never took the lease"
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    finally:
        process.kill()
    assert not Lease.objects.exists()
