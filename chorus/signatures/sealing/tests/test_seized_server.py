"""Whoever takes the whole server learns the count, and nobody who did not ask to be known.

With the organisation's key registered, a petition's signers go through every
journey (sign, confirm, a reminder, signing again, updates taken and given
up, withdrawing, erasing, an update mailing, both exports). Then everything
the server holds (every row of every table, each value the server's own keys
decrypt, and the environment's keys) is searched for the names and
addresses of signers who asked neither for updates nor to be named: none is
there. The exports open with the private key, which only the test holds.
"""

import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyrage
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from pyrage import x25519

from chorus.lib import crypto
from chorus.signatures.counting.selectors import country_totals
from chorus.signatures.counting.services import signatures_count
from chorus.signatures.models import Signature
from chorus.signatures.sealing.services import organisation_key_register, signatures_seal
from chorus.signatures.tasks import reminders_send
from chorus.updates.services import update_publish

CHORUS_OPEN = Path(__file__).resolve().parents[4] / "tools" / "chorus-open"
CONFIRM = re.compile(r"https?://[^/\s]+(/confirm/[^/\s]+/)")
MANAGE = re.compile(r"https?://[^/\s]+(/signature/[^/\s]+/)")
UNSUBSCRIBE = re.compile(r"https?://[^/\s]+(/updates/unsubscribe/[^/\s]+/)")

QUIET = {"name": "Anna Quietova", "email": "anna.quietova@example.org", "country": "DE",
         "postcode": "10115"}
NAMED = {"name": "Boris Namedov", "email": "boris.namedov@example.org", "country": "FR",
         "postcode": "75001", "show_name": "on"}
UPDATES = {"name": "Clara Updatova", "email": "clara.updatova@example.org", "country": "DE",
           "postcode": "20095", "updates": "on"}
REMINDED = {"name": "Dmitri Remindov", "email": "dmitri.remindov@example.org",
            "country": "NL", "postcode": "1011"}
UNSUBSCRIBED = {"name": "Eva Unsubova", "email": "eva.unsubova@example.org", "country": "DE",
                "postcode": "80331", "updates": "on"}
WITHDRAWN = {"name": "Fyodor Withdrawnov", "email": "fyodor.withdrawnov@example.org",
             "country": "DE", "postcode": "50667"}
ERASED = {"name": "Galina Erasedova", "email": "galina.erasedova@example.org",
          "country": "DE", "postcode": "01067"}
SIGNERS = [QUIET, NAMED, UPDATES, REMINDED, UNSUBSCRIBED, WITHDRAWN, ERASED]
# Who asked to be known, and for what: the server may read only this.
HIDDEN_NAMES = [s["name"] for s in (QUIET, UPDATES, REMINDED, UNSUBSCRIBED, WITHDRAWN, ERASED)]
HIDDEN_ADDRESSES = [s["email"] for s in (QUIET, NAMED, REMINDED, UNSUBSCRIBED, WITHDRAWN,
                                         ERASED)]
HIDDEN_POSTCODES = [s["postcode"] for s in SIGNERS]


def last_link(mailoutbox, address, pattern):
    for message in reversed(mailoutbox):
        if message.to == [address] and (found := pattern.search(message.body)):
            return found.group(1)
    raise AssertionError(f"no such link e-mailed to {address}")


def journeys(client, post, petition, mailoutbox, owner):
    """Every signer's story; returns what a visitor and the organisers can see after."""
    for signer in SIGNERS:
        assert post(f"/petitions/{petition.slug}/sign/", signer).status_code == 302
    for signer in SIGNERS:
        if signer is not REMINDED:
            post(last_link(mailoutbox, signer["email"], CONFIRM))
    # Dmitri confirms only after a reminder.
    reminders_send(now=timezone.now() + timedelta(days=2))
    assert any(m.to == [REMINDED["email"]] for m in mailoutbox[len(SIGNERS) - 1:])
    post(last_link(mailoutbox, REMINDED["email"], CONFIRM))
    # Anna signs again: she is told she already has, with her private link.
    sent = len(mailoutbox)
    post(f"/petitions/{petition.slug}/sign/", QUIET)
    assert [m.to for m in mailoutbox[sent:]] == [[QUIET["email"]]]
    # A first update reaches both who asked; Eva then gives them up, with its link.
    sent = len(mailoutbox)
    update_publish(petition=petition, author=owner, title="News", body="The court.",
                   email=True)
    assert sorted(m.to[0] for m in mailoutbox[sent:]) == [UPDATES["email"],
                                                           UNSUBSCRIBED["email"]]
    post(last_link(mailoutbox, UNSUBSCRIBED["email"], UNSUBSCRIBE))
    # Fyodor withdraws, Galina erases.
    post(last_link(mailoutbox, WITHDRAWN["email"], MANAGE) + "withdraw/", {"confirm": "1"})
    post(last_link(mailoutbox, ERASED["email"], MANAGE) + "erase/", {"confirm": "1"})
    signatures_count()
    signatures_seal()
    # A second mailing, after Eva's change of mind: only Clara gets it.
    sent = len(mailoutbox)
    update_publish(petition=petition, author=owner, title="Victory", body="Thrown out.",
                   email=True)
    mailed = sorted(m.to[0] for m in mailoutbox[sent:])
    client.force_login(owner)
    csv_file = client.get(f"/organiser/petitions/{petition.slug}/signatures.csv")
    pdf_file = client.get(f"/organiser/petitions/{petition.slug}/delivery.pdf")
    client.logout()
    cache.clear()
    petition.refresh_from_db()
    return {
        "count": petition.signature_count,
        "countries": [(row.code, row.count) for row in country_totals(petition.pk)],
        "mailed": mailed,
        "states": sorted(Signature.objects.values_list("state", flat=True)),
        "csv": b"".join(csv_file.streaming_content) if csv_file.streaming else csv_file.content,
        "pdf": b"".join(pdf_file.streaming_content) if pdf_file.streaming else pdf_file.content,
    }


def server_dump() -> str:
    """Everything the server can read: every row, each value its keys decrypt, its keys."""
    found = [str(value) for value in (
        settings.SECRET_KEY, settings.CHORUS_ENCRYPTION_KEYS, settings.CHORUS_DIGEST_KEY,
    )]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    text = value.decode(errors="replace") if isinstance(value, bytes | memoryview) \
                        else str(value)
                    found.append(text)
                    for token in re.findall(r"gAAAAA[A-Za-z0-9_=-]+", text):
                        try:
                            found.append(crypto.decrypt(token))
                        except crypto.Undecryptable:
                            pass
    return "\n".join(found)


@pytest.fixture
def identity():
    return x25519.Identity.generate()


@pytest.fixture
def keyed(petition, owner, identity):
    organisation_key_register(organisation=petition.organisation,
                              recipient=str(identity.to_public()), actor=owner)
    return identity


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_whole_server_names_nobody_who_did_not_ask(
    client, post, petition, mailoutbox, owner, keyed, tmp_path
):
    seen = journeys(client, post, petition, mailoutbox, owner)
    dump = server_dump()

    for secret in HIDDEN_NAMES + HIDDEN_ADDRESSES:
        assert secret not in dump
    for postcode in HIDDEN_POSTCODES:
        assert f'"{postcode}"' not in dump and f"\n{postcode}\n" not in dump
    # No private key anywhere the server can reach: only the public one.
    assert "AGE-SECRET-KEY-" not in dump
    # What the signers asked to be known, and only that, is still readable.
    assert NAMED["name"] in dump
    assert UPDATES["email"] in dump
    assert seen["mailed"] == [UPDATES["email"]]

    # The exports open with the private key the test holds, and with no other.
    assert seen["pdf"].startswith(b"age-encryption.org/v1")
    assert pyrage.decrypt(seen["pdf"], [keyed]).startswith(b"%PDF")
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(seen["csv"], [x25519.Identity.generate()])
    key_file = tmp_path / "key.txt"
    key_file.write_text(f"# the organisation's key\n{keyed}\n")
    sealed_csv = tmp_path / "signatures.csv.age"
    sealed_csv.write_bytes(seen["csv"])
    opened = subprocess.run(  # noqa: S603 - our own command line, no outside input
        [sys.executable, str(CHORUS_OPEN), "-i", str(key_file),
         str(sealed_csv)], capture_output=True, check=True, text=True)
    text = opened.stdout
    # Every confirmed signer's name, for the organisation alone; addresses only of
    # those who agreed to hear more, as ever.
    for signer in (QUIET, NAMED, UPDATES, REMINDED, UNSUBSCRIBED):
        assert signer["name"] in text
    assert UPDATES["email"] in text
    assert QUIET["email"] not in text and NAMED["email"] not in text
    assert "sealed" not in text.splitlines()[0]
    # The standard age command opens the same files, with no code of ours.
    if shutil.which("age"):
        sealed_pdf = tmp_path / "delivery.pdf.age"
        sealed_pdf.write_bytes(seen["pdf"])
        pdf = subprocess.run(  # noqa: S603 - our own command line, no outside input
            [shutil.which("age"), "-d", "-i", str(key_file), str(sealed_pdf)],
            capture_output=True, check=True).stdout
        assert pdf.startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_key", [False, True], ids=["no key", "key"])
def test_counts_mailings_dedupe_withdraw_and_erase_are_the_same_with_a_key(
    client, post, petition, mailoutbox, owner, identity, with_key, settings
):
    settings.CHORUS_COUNTRY_FLOOR = 1
    if with_key:
        organisation_key_register(organisation=petition.organisation,
                                  recipient=str(identity.to_public()), actor=owner)
    seen = journeys(client, post, petition, mailoutbox, owner)
    # Anna's second signature did not count twice; Fyodor's and Galina's left.
    assert seen["count"] == 5
    assert seen["countries"] == [("DE", 3), ("FR", 1), ("NL", 1)]
    assert seen["mailed"] == [UPDATES["email"]]
    assert seen["states"] == ["confirmed"] * 5 + ["erased", "withdrawn"]
    assert Signature.objects.filter(state="erased").get().sealed == ""
