"""One periodic worker at a time across app servers (see models.Lease)."""

import datetime
import os
import secrets
import socket

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from chorus.periodic.models import Lease

PERIODIC = "periodic"


def holder_name() -> str:
    """This process, as other processes see it in the lease: host, pid and a nonce
    (a restarted process with a recycled pid must not inherit a lease)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def lease_hold(*, holder: str, seconds: float, name: str = PERIODIC,
               now: datetime.datetime | None = None) -> bool:
    """Take or renew the lease for `seconds`; False if another holder's has not expired."""
    now = now or timezone.now()
    until = now + datetime.timedelta(seconds=seconds)
    renewed = (
        Lease.objects.filter(name=name)
        .filter(Q(holder=holder) | Q(expires_at__lt=now))
        .update(holder=holder, expires_at=until)
    )
    if renewed:
        return True
    try:
        with transaction.atomic():
            Lease.objects.create(name=name, holder=holder, expires_at=until)
    except IntegrityError:
        return False  # held by another, or taken by another just now
    return True


def lease_release(*, holder: str, name: str = PERIODIC) -> None:
    """Give the lease up at once (a clean stop), so another process need not wait."""
    Lease.objects.filter(name=name, holder=holder).delete()
