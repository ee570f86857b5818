"""Set up the benchmark database: one organisation and two open petitions,
`empty` and `million`, the second with N (default 1,000,000) confirmed,
counted signatures inserted by PostgreSQL itself (generate_series), each with
its public-log leaf, and the log's first statements published: the state of a
petition that grew to a million, not of one whose leaves are still owed (the
counter would give a million leaves during the measured minutes).

Usage: DATABASE_URL=postgres://... python bench/seed.py [ROWS]
"""

import os
import sys
import time

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from chorus.organisers.models import Organisation  # noqa: E402
from chorus.petitions.models import Petition  # noqa: E402
from chorus.signatures.models import Signature  # noqa: E402
from chorus.signatures.transparency import services  # noqa: E402
from chorus.signatures.transparency.models import LogHead  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
started = time.monotonic()
organisation = Organisation.objects.create(name="Bench", slug="bench")
for slug in ("empty", "million"):
    petition = Petition.objects.create(
        organisation=organisation, slug=slug, title=f"Bench petition {slug}",
        target="The Government", ask="Withdraw the lawsuit.",
        body="Some **Markdown** text about the campaign, long enough to look real.\n\n" * 20,
        goal=2_000_000,
    )
    petition.open()

million = Petition.objects.get(slug="million")
table = connection.ops.quote_name(Signature._meta.db_table)
countries = "ARRAY['DE','FR','GB','US','ES','RU','UA','GE','AM','KZ','BR','IN']"
# email and postcode hold ciphertext in real rows (a Fernet token is ~140
# characters); the filler has that size so the table and its pages do too.
# It is not a valid token: nothing in the benchmark decrypts it.
with connection.cursor() as cursor:
    cursor.execute(
        f"""
        INSERT INTO {table} (petition_id, name, email, email_digest, country, postcode,
            updates, show_name, state, counted, source, ip_digest, language,
            confirmation_due, confirmation_sends, created_at, confirmed_at,
            held_reason, email_domain, reminders_sent)
        SELECT %s, 'Signer ' || n,
            'gAAAAA' || md5('e' || n) || md5('f' || n) || md5('g' || n) || md5('h' || n),
            encode(sha256(('seed-' || n)::bytea), 'hex'),
            ({countries})[1 + n %% 12], '', n %% 3 = 0, n %% 2 = 0, 'confirmed', true, '',
            encode(sha256(('ip-' || (n %% 50000))::bytea), 'hex'), 'en', false, 1,
            now() - interval '1 second' * n, now() - interval '1 second' * n,
            '', (ARRAY['gmail.com', 'yandex.ru', 'example.org', 'proton.me'])[1 + n %% 4], 0
        FROM generate_series(1, %s) AS n
        """,
        [million.pk, rows],
    )
Petition.objects.filter(pk=million.pk).update(signature_count=rows)
# As the counter marks a petition whose count it changed. Publishing gives the counted
# rows their leaves first, as for a site upgrading with millions of signatures, and the
# statement then holds every leaf, as the log of a petition that grew to this size does.
LogHead.objects.create(petition=million, changed_at=timezone.now())
published = services.log_publish()
# A table that has been there a while: vacuumed (visibility map set), analysed,
# and its pages written out, so no checkpoint of the seed lands in a scenario.
connection.set_autocommit(True)
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")  # the signatures and the log's leaves
    cursor.execute("CHECKPOINT")
print(f"seeded {rows} signatures and published {len(published)} log statements "
      f"in {time.monotonic() - started:.1f} s")
