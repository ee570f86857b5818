"""Sealing as signatures are stored, sealing what came before the key, and re-sealing."""

import base64
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pyrage
import pytest
from django.db.models import RestrictedError
from django.utils import timezone
from pyrage import x25519

from chorus.audit.models import AuditEntry
from chorus.lib.digests import email_digest
from chorus.organisers.models import OrganisationKey
from chorus.signatures.models import Signature
from chorus.signatures.sealing.services import (
    organisation_key_register,
    reseal_bundle_lines,
    signatures_reseal,
    signatures_seal,
)
from chorus.signatures.services import signature_confirm, signature_create

CHORUS_OPEN = Path(__file__).resolve().parents[4] / "tools" / "chorus-open"


def opened(signature, identity) -> dict:
    return json.loads(pyrage.decrypt(base64.b64decode(signature.sealed), [identity]))


def raw_email(signature) -> str:
    return Signature.objects.filter(pk=signature.pk).values_list("email", flat=True).get()


@pytest.fixture
def identity():
    return x25519.Identity.generate()


@pytest.fixture
def key(petition, owner, identity):
    return organisation_key_register(organisation=petition.organisation,
                                     recipient=str(identity.to_public()), actor=owner)


def sign(petition, email, **fields):
    signature_create(petition_id=petition.pk, name=fields.pop("name", "Nadia Petrova"),
                     email=email, country="DE", postcode="10115", **fields)
    return Signature.objects.get(email_digest=email_digest(email))


def test_a_new_signature_keeps_readable_only_what_the_flow_needs(petition, key, identity):
    signature = sign(petition, "nadia@example.org")
    assert signature.sealed_to == key
    assert signature.name == "" and signature.postcode == ""
    assert signature.email == "nadia@example.org"  # the confirmation e-mail needs it
    assert opened(signature, identity) == {"name": "Nadia Petrova", "email": "nadia@example.org",
                                           "postcode": "10115", "country": "DE"}
    signature_confirm(signature=signature)
    assert raw_email(signature) == ""
    assert signature.email == ""


def test_a_name_to_be_shown_and_an_address_for_updates_stay_readable(petition, key):
    signature = sign(petition, "nadia@example.org", show_name=True, updates=True)
    signature_confirm(signature=signature)
    signature.refresh_from_db()
    assert signature.name == "Nadia Petrova"
    assert signature.email == "nadia@example.org"
    assert signature.postcode == ""


def test_an_address_goes_once_the_link_has_expired(petition, key, settings):
    signature = sign(petition, "nadia@example.org")
    Signature.objects.filter(pk=signature.pk).update(confirmation_due=False)
    later = timezone.now() + timedelta(seconds=settings.CHORUS_CONFIRMATION_MAX_AGE + 60)
    assert Signature.objects.drop_server_copies(now=timezone.now()) == 0
    assert Signature.objects.drop_server_copies(now=later) == 1
    assert raw_email(signature) == ""


def test_signatures_from_before_the_key_are_sealed_by_the_periodic_step(
    petition, owner, identity
):
    before = sign(petition, "early@example.org", name="Early Bird")
    signature_confirm(signature=before)
    organisation_key_register(organisation=petition.organisation,
                              recipient=str(identity.to_public()), actor=owner)
    assert signatures_seal() == 1
    before.refresh_from_db()
    assert before.name == "" and raw_email(before) == "" and before.postcode == ""
    assert opened(before, identity)["email"] == "early@example.org"
    assert signatures_seal() == 0


def test_without_a_key_nothing_is_sealed(petition):
    signature = sign(petition, "nadia@example.org")
    assert signature.sealed == "" and signature.sealed_to is None
    assert signature.name == "Nadia Petrova" and signature.postcode == "10115"
    signature_confirm(signature=signature)
    assert raw_email(signature) == "nadia@example.org"


def test_a_new_key_seals_new_rows_and_the_old_rows_are_resealed_locally(
    petition, owner, key, identity, tmp_path
):
    old_row = sign(petition, "old@example.org")
    new_identity = x25519.Identity.generate()
    new_key = organisation_key_register(organisation=petition.organisation,
                                        recipient=str(new_identity.to_public()), actor=owner)
    key.refresh_from_db()
    assert key.retired_at is not None
    new_row = sign(petition, "new@example.org")
    assert new_row.sealed_to == new_key
    assert opened(new_row, new_identity)["email"] == "new@example.org"
    assert opened(old_row, identity)["email"] == "old@example.org"  # still the old key's

    bundle = tmp_path / "rows.jsonl"
    bundle.write_text("".join(reseal_bundle_lines(old_key=key, new_key=new_key)))
    assert "old@example.org" not in bundle.read_text()
    old_key_file = tmp_path / "old-key.txt"
    old_key_file.write_text(f"{identity}\n")
    resealed = subprocess.run(  # noqa: S603 - our own command line, no outside input
        [sys.executable, str(CHORUS_OPEN), "reseal", "-i", str(old_key_file), str(bundle)],
        capture_output=True, check=True, text=True).stdout
    done = signatures_reseal(organisation=petition.organisation, old_key=key, new_key=new_key,
                             lines=resealed.splitlines(), actor=owner)
    assert (done.resealed, done.refused) == (1, 0)
    old_row.refresh_from_db()
    assert old_row.sealed_to == new_key
    assert opened(old_row, new_identity)["email"] == "old@example.org"
    assert AuditEntry.objects.filter(action="organisation.key_reseal").exists()


def test_a_reseal_upload_changes_only_this_organisations_rows_and_only_to_age(
    petition, owner, key, identity
):
    row = sign(petition, "old@example.org")
    new_key = organisation_key_register(
        organisation=petition.organisation,
        recipient=str(x25519.Identity.generate().to_public()), actor=owner)
    lines = [json.dumps({"id": row.pk, "sealed": base64.b64encode(b"not age").decode()}),
             json.dumps({"id": row.pk + 999, "sealed": row.sealed}), "{broken"]
    done = signatures_reseal(organisation=petition.organisation, old_key=key, new_key=new_key,
                             lines=lines, actor=owner)
    assert (done.resealed, done.refused) == (0, 3)
    row.refresh_from_db()
    assert row.sealed_to == key


def test_a_key_goes_with_its_organisation_but_not_while_rows_are_sealed_to_it(petition, key):
    sign(petition, "nadia@example.org")
    with pytest.raises(RestrictedError):
        key.delete()
    petition.delete()
    petition.organisation.delete()
    assert not OrganisationKey.objects.exists()
