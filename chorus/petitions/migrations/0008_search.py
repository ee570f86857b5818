"""Full-text search of petitions on PostgreSQL; nothing changes on SQLite.

Each petition and each translation is read in its own language: a text search
configuration per language (Russian, English, Spanish, Arabic, and `simple` for
any other), each stripping accents with `unaccent` before stemming, so that
"petición" finds "peticion" and "ёлка" finds "елка". One immutable function,
`chorus_search_document`, turns a language and the four fields people search
into a weighted tsvector; a GIN index on that very expression, on both tables,
is what chorus.petitions.search queries. An expression index rather than a
stored column: no trigger or service has to keep a copy up to date, whatever
writes the row (the admin, a service, a data migration), and the counter's
frequent updates of signature_count never recompute anything.

Keep the languages here in step with SEARCH_CONFIGURATIONS in
chorus/petitions/search.py.
"""

from django.db import migrations

# The dictionary each language's configuration stems its non-ASCII words with.
LANGUAGES = {
    "english": "english_stem",
    "russian": "russian_stem",
    "spanish": "spanish_stem",
    "arabic": "arabic_stem",
    "simple": "simple",
}

DOCUMENT = """
CREATE FUNCTION chorus_search_document(
    language text, title text, target text, ask text, body text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- Fixed at creation, so that an index rebuilt by pg_restore (which empties
-- search_path) still finds the configurations.
SET search_path FROM CURRENT
AS $$
    SELECT setweight(to_tsvector(config, coalesce(title, '')), 'A')
        || setweight(to_tsvector(config, coalesce(ask, '')), 'B')
        || setweight(to_tsvector(config, coalesce(target, '')), 'B')
        || setweight(to_tsvector(config, coalesce(body, '')), 'C')
    FROM (SELECT CASE split_part(lower(language), '-', 1)
        WHEN 'en' THEN 'chorus_english'::regconfig
        WHEN 'ru' THEN 'chorus_russian'::regconfig
        WHEN 'es' THEN 'chorus_spanish'::regconfig
        WHEN 'ar' THEN 'chorus_arabic'::regconfig
        ELSE 'chorus_simple'::regconfig
    END AS config) AS chosen
$$
"""

INDEXES = {
    "petitions_petition_search": "petitions_petition",
    "petitions_translation_search": "petitions_petitiontranslation",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    for language, stem in LANGUAGES.items():
        name = f"chorus_{language}"
        schema_editor.execute(f"CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {language})")
        # Only words with letters outside ASCII can carry accents.
        schema_editor.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {name} "
            f"ALTER MAPPING FOR word, hword, hword_part WITH unaccent, {stem}"
        )
    schema_editor.execute(DOCUMENT)
    for index, table in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {index} ON {table} USING gin "
            f"(chorus_search_document(language, title, target, ask, body))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS chorus_search_document(text, text, text, text, text)"
    )
    for language in LANGUAGES:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS chorus_{language}")
    # unaccent stays: other objects in the database may use it.


class Migration(migrations.Migration):

    # Touches no model state: only PostgreSQL's search configuration and indexes.
    dependencies = [("petitions", "0007_takedown")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
