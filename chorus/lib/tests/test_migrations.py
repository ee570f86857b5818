from django.core.management import call_command


def test_every_model_change_has_a_migration(db):
    # With a model change lacking its migration, --check exits with status 1.
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
