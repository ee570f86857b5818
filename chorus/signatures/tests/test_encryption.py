from cryptography.fernet import Fernet
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import connection

from chorus.signatures.models import Signature

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def stored(signature, column):
    table = Signature._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [signature.pk])  # noqa: S608
        return cursor.fetchone()[0]


def sign(client, petition, signer):
    return client.post(f"/petitions/{petition.slug}/sign/", signer)


def test_addresses_and_postcodes_are_stored_encrypted(client, petition, signer):
    sign(client, petition, signer)
    signature = Signature.objects.get()
    assert signature.email == signer["email"]
    assert signature.postcode == signer["postcode"]
    for column, plain in [("email", signer["email"]), ("postcode", signer["postcode"])]:
        raw = stored(signature, column)
        assert raw.startswith("gAAAAA") and plain not in raw


def test_after_rotating_keys_everything_decrypts_and_deduplicates(
    client, petition, signer, settings, capsys
):
    settings.CHORUS_ENCRYPTION_KEYS = [OLD_KEY]
    sign(client, petition, signer)
    settings.CHORUS_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    call_command("reencrypt")
    assert "Re-encrypted 1 signatures." in capsys.readouterr().out
    settings.CHORUS_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone
    signature = Signature.objects.get()
    assert (signature.email, signature.postcode) == (signer["email"], signer["postcode"])
    response = sign(client, petition, {**signer, "email": signer["email"].upper()})
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_a_row_encrypted_with_a_removed_key_is_reported_not_a_crash(
    client, petition, signer, settings, capsys, admin_client
):
    settings.CHORUS_ENCRYPTION_KEYS = [OLD_KEY]
    sign(client, petition, signer)
    settings.CHORUS_ENCRYPTION_KEYS = [NEW_KEY]
    signature = Signature.objects.get()
    assert signature.email == ""
    call_command("reencrypt")
    out = capsys.readouterr().out
    assert "1 signatures could not be decrypted with any configured key" in out
    assert out.rstrip().endswith(f"(left as they are): {signature.pk}")
    change_page = admin_client.get(f"/admin/signatures/signature/{signature.pk}/change/")
    assert change_page.status_code == 200


def test_addresses_stored_before_encryption_are_encrypted_by_reencrypt(petition):
    signature = Signature.objects.create(
        petition=petition, name="Old", email="x", email_digest="o" * 64, country="DE"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Signature._meta.db_table} SET email = %s WHERE id = %s",  # noqa: S608
            ["old@example.org", signature.pk],
        )
    assert Signature.objects.get().email == "old@example.org"
    call_command("reencrypt")
    assert stored(signature, "email").startswith("gAAAAA")
    assert Signature.objects.get().email == "old@example.org"


def test_the_deploy_check_asks_for_a_real_key(settings):
    settings.CHORUS_ENCRYPTION_KEYS = []
    assert "chorus.W001" in [m.id for m in run_checks(include_deployment_checks=True)]
    settings.CHORUS_ENCRYPTION_KEYS = [NEW_KEY]
    assert "chorus.W001" not in [m.id for m in run_checks(include_deployment_checks=True)]


def test_generatekey_prints_a_usable_key(capsys):
    call_command("generatekey")
    Fernet(capsys.readouterr().out.strip().encode())
