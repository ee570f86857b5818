from django.db import models


class Lease(models.Model):
    """Which process runs the periodic work, and until when, when several could.

    Every app server may run `runperiodic` (docs/deploy.md): the one holding the
    lease works, the others wait and take over once it has not renewed the lease
    for CHORUS_PERIODIC_LEASE_SECONDS. A row, not a session-level advisory lock,
    so that it holds through PgBouncer in transaction mode.
    """

    name = models.CharField(max_length=32, primary_key=True)
    holder = models.CharField(max_length=100)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.name}: {self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
