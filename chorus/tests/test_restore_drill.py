"""The restore drill of docs/deploy.md: a backup made with pg_dump comes back whole.

A petition with confirmed, counted signatures and its organiser are dumped
with `pg_dump --format=custom`, restored with `pg_restore` into a fresh
database, and a new process started on the restored database, with the keys
from its environment as a rebuilt server would have them, finds the count,
its history, the organiser's login and the signer's private link working.
The same process without the keys finds no address: the dump alone gives
none up.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import global_settings
from django.db import connection

from chorus.lib.digests import email_digest
from chorus.moderation.services import petition_approve
from chorus.organisers.services import organisation_create
from chorus.petitions.services import petition_create, petition_submit
from chorus.signatures.counting.selectors import count_history
from chorus.signatures.models import Signature
from chorus.signatures.services import (
    signature_confirm,
    signature_create,
    signature_from_token,
)
from chorus.signatures.tokens import confirmation_token, manage_token
from chorus.signatures.transparency.services import log_publish
from chorus.testing import PASSWORD, make_user

PG_DUMP = shutil.which("pg_dump")
PG_RESTORE = shutil.which("pg_restore")

pytestmark = [
    pytest.mark.postgres,
    # Real commits: pg_dump reads the database from its own connection.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(
        not (PG_DUMP and PG_RESTORE),
        reason="pg_dump and pg_restore not found (Debian: apt-get install postgresql-client)",
    ),
]

SLUG = "stop-the-liquidation"
ORGANISER = "olga.owner@example.org"
SIGNERS = ["nadia.petrova@example.org", "ilse.berg@example.org", "tomas.novak@example.org"]

# Run by `manage.py shell` on the restored database; prints one line of JSON.
CHECK = """
import io
import json
from django.contrib.auth import get_user_model
from django.core import signing
from chorus.petitions.models import Petition
from chorus.signatures.counting.selectors import count_history
from chorus.signatures.models import Signature
from chorus.signatures.management.commands.verifylog import Database, verifier
from chorus.signatures.services import signature_from_manage_token
from chorus.signatures.transparency.receipts import receipt_of

petition = Petition.objects.get(slug={slug!r})
try:
    signature = signature_from_manage_token({token!r})
except signing.BadSignature:
    signature = None
print(json.dumps({{
    "count": petition.signature_count,
    "history": [point.signature_count for point in count_history(petition.pk)],
    "login": get_user_model().objects.get(username={organiser!r}).check_password({password!r}),
    "manage_link": signature.pk if signature else None,
    "addresses": sorted(s.email for s in Signature.objects.filter(petition=petition)),
    "statements": petition.statements.count(),
    "log_failures": verifier().verify(
        Database(petition), report=verifier().Report(out=io.StringIO())).failures,
    "receipt_shown": bool(signature and receipt_of(signature)),
}}))
"""


def pg_environment(name: str) -> dict[str, str]:
    """libpq's environment for the test database's server, naming database `name`."""
    database = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": name}
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                          ("PGPASSWORD", "PASSWORD")]:
        if database.get(key):
            environment[variable] = str(database[key])
    return environment


def database_url(name: str) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return (f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}"
            f":{database['PORT'] or 5432}/{name}")


def back_up_and_restore(*, into: str, dump) -> None:
    """The backup and restore commands of docs/deploy.md, without the encryption."""
    subprocess.run(  # noqa: S603 - our own command line, no outside input
        [PG_DUMP, "--format=custom", f"--file={dump}"],
        env=pg_environment(connection.settings_dict["NAME"]), check=True, timeout=60,
    )
    subprocess.run(  # noqa: S603 - our own command line, no outside input
        [PG_RESTORE, "--no-owner", "--exit-on-error", "--single-transaction",
         f"--dbname={into}", str(dump)],
        env=pg_environment(into), check=True, timeout=60,
    )


def check_restored(name: str, *, secret_key: str, encryption_key: str, token: str) -> dict:
    """What a fresh server process with these keys finds in database `name`."""
    code = CHECK.format(slug=SLUG, token=token, organiser=ORGANISER, password=PASSWORD)
    environment = {
        **os.environ, "DATABASE_URL": database_url(name), "SECRET_KEY": secret_key,
        "CHORUS_ENCRYPTION_KEYS": encryption_key,
    }
    result = subprocess.run(  # noqa: S603 - our own command line, no outside input
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        env=environment, capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def restored_name():
    """A fresh database beside the test database (named after it, so parallel runs
    do not collide), dropped after the test."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    quoted = connection.ops.quote_name(name)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {quoted}")
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")


@pytest.fixture
def campaign(settings, moderator):
    """An open petition with three confirmed, counted signatures and its organiser,
    made by the services the site uses; the signers' addresses are encrypted with
    a key of their own."""
    settings.CHORUS_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    # The hasher production uses, so the drill shows a real password hash survives.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    organiser = make_user(ORGANISER)
    organisation = organisation_create(creator=organiser, name="Spectrum Alliance")
    petition = petition_create(
        actor=organiser, organisation=organisation, slug=SLUG, title="Stop the lawsuit",
        target="The Government of Norvania", ask="Withdraw the lawsuit.",
        body="The government wants to close us.", goal=100,
    )
    petition_submit(petition=petition, actor=organiser)
    petition_approve(petition=petition, moderator=moderator)
    for address in SIGNERS:
        signature_create(petition_id=petition.pk, name="A signer", email=address, country="DE")
        signature = Signature.objects.get(email_digest=email_digest(address))
        # As the signer's click does: the e-mailed link names the signature.
        signature_confirm(signature=signature_from_token(confirmation_token(signature.pk)))
    log_publish()  # counted, and in the first statement of the petition's public log
    first = Signature.objects.get(email_digest=email_digest(SIGNERS[0]))
    return {"petition": petition, "manage_token": manage_token(first.pk), "signature": first}


def test_a_restored_backup_keeps_counts_logins_and_manage_links(
    campaign, restored_name, settings, tmp_path
):
    back_up_and_restore(into=restored_name, dump=tmp_path / "chorus.dump")

    restored = check_restored(
        restored_name, secret_key=settings.SECRET_KEY,
        encryption_key=settings.CHORUS_ENCRYPTION_KEYS[0], token=campaign["manage_token"],
    )

    history = [point.signature_count for point in count_history(campaign["petition"].pk)]
    assert history == [3]
    assert restored == {
        "count": 3,
        "history": history,
        "login": True,
        "manage_link": campaign["signature"].pk,
        "addresses": sorted(SIGNERS),
        "statements": 1,
        "log_failures": [],
        "receipt_shown": True,
    }


def test_a_restored_backup_without_the_keys_gives_up_no_address(
    campaign, restored_name, tmp_path
):
    back_up_and_restore(into=restored_name, dump=tmp_path / "chorus.dump")

    thief = check_restored(
        restored_name, secret_key="another-secret-key-" + "x" * 40,
        encryption_key=Fernet.generate_key().decode(), token=campaign["manage_token"],
    )

    assert thief["count"] == 3  # the public figures are in the dump; the signers are not
    assert thief["addresses"] == ["", "", ""]
    assert thief["statements"] == 1 and not thief["receipt_shown"]
    assert thief["manage_link"] is None
