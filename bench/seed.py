"""Set up the benchmark database: one organisation, an empty petition and one
with 1,000,000 confirmed, counted signatures (inserted by PostgreSQL itself)."""

import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorus.settings")
django.setup()

from django.db import connection  # noqa: E402

from chorus.petitions.models import Organisation, Petition  # noqa: E402
from chorus.signatures.models import Signature  # noqa: E402

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
organisation = Organisation.objects.create(name="Bench", slug="bench")
for slug in ("empty", "million"):
    petition = Petition.objects.create(
        organisation=organisation, slug=slug, title=f"Bench petition {slug}",
        target="The Government", ask="Withdraw the lawsuit.",
        body="Some **Markdown** text.\n\n" * 20, goal=2_000_000,
    )
    petition.open()

million = Petition.objects.get(slug="million")
table = Signature._meta.db_table
countries = "ARRAY['DE','FR','GB','US','ES','RU','UA','GE','AM','KZ','BR','IN']"
with connection.cursor() as cursor:
    cursor.execute(
        f"""
        INSERT INTO {table} (petition_id, name, email, email_digest, country, postcode,
            updates, show_name, state, counted, source, ip_digest, language,
            confirmation_due, confirmation_sends, created_at, confirmed_at)
        SELECT %s, 'Signer ' || n, 'seed' || n || '@example.org', md5(n::text) || md5('x' || n),
            ({countries})[1 + n %% 12], '', n %% 3 = 0, n %% 2 = 0, 'confirmed', true, '',
            md5('ip' || n) || md5('y' || n), 'en', false, 1,
            now() - interval '1 second' * n, now() - interval '1 second' * n
        FROM generate_series(1, %s) AS n
        """,
        [million.pk, rows],
    )
    cursor.execute(f"ANALYZE {table}")
Petition.objects.filter(pk=million.pk).update(signature_count=rows)
print(f"seeded {rows} signatures")
