"""Signers' personal fields sealed to their organisation's own key (chorus.lib.sealing).

With a key registered, a new signature's name, address, postcode and country
are sealed to it as they are stored, and the server keeps readable only what
it still needs: the name if it may be shown, the address while the
confirmation flow runs (and for good for signers who asked for updates),
never the postcode. A whole dump of the server (database, environment and
keys) then opens no sealed field: the private key is only on the
organisation's own computers.
"""

import base64
import binascii
import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from chorus.audit.services import audit_record
from chorus.lib import sealing
from chorus.organisers.models import OrganisationKey
from chorus.petitions.models import Petition
from chorus.signatures.models import Signature

logger = logging.getLogger(__name__)

SEALED_FIELDS = ("name", "email", "postcode", "country")


# petition id → (when to read it again, (key id, recipient) or ()). In process
# memory, not the shared cache: signing must not pay a cache round trip for it.
_keys: dict[int, tuple[float, tuple]] = {}


def key_for_petition(petition_id: int) -> tuple[int, str] | None:
    """The id and recipient of the key new signatures of this petition are sealed to.

    Read once every few seconds per process (a key is registered rarely; the
    periodic `seal` step seals whatever was signed in between).
    """
    now = time.monotonic()
    expires, found = _keys.get(petition_id, (0.0, ()))
    if expires <= now:
        key = current_key(
            Petition.objects.filter(pk=petition_id).values_list("organisation_id", flat=True)
            .first()
        )
        found = (key.pk, key.recipient) if key else ()
        # A race between two threads here writes the same answer twice: harmless.
        _keys[petition_id] = (now + settings.CHORUS_COUNT_CACHE_SECONDS, found)
    return found or None


def current_key(organisation_id: int | None) -> OrganisationKey | None:
    if organisation_id is None:
        return None
    return OrganisationKey.objects.filter(
        organisation_id=organisation_id, retired_at__isnull=True
    ).first()


def forget_keys() -> None:
    """This process stops using the keys it remembers at once (others within seconds)."""
    _keys.clear()


def sealed_fields(**fields) -> dict:
    return {name: fields.get(name) or "" for name in SEALED_FIELDS}


def on_signing(
    *, petition_id: int, name: str, email: str, postcode: str, country: str, show_name: bool
) -> tuple[str, str, str, int | None]:
    """What a new signature stores: (name, postcode, sealed, sealed_to) — the name and
    postcode as kept readable, and the sealed copy with the key it is sealed to."""
    key = key_for_petition(petition_id)
    if not key:
        return name, postcode, "", None
    sealed = sealing.seal_fields(
        sealed_fields(name=name, email=email, postcode=postcode, country=country), key[1]
    )
    return (name if show_name else ""), "", sealed, key[0]


def signatures_seal(*, batch_size: int = 500) -> int:
    """Seal what is not sealed yet on petitions of organisations with a key; how many rows.

    The periodic safety net, and what protects signers who signed before their
    organisation registered its key: each row is sealed from what the server
    can still read, then its readable copies are reduced as on signing. Then
    every sealed row whose confirmation flow has ended loses its readable
    address (Signature.objects.drop_server_copies).
    """
    sealed = 0
    keys = {
        key.organisation_id: key
        for key in OrganisationKey.objects.filter(retired_at__isnull=True).order_by("created_at")
    }
    for organisation_id, key in keys.items():
        while True:
            with transaction.atomic():
                rows = list(
                    Signature.objects.select_for_update()
                    .filter(petition__organisation_id=organisation_id, sealed_to__isnull=True,
                            anonymised_at__isnull=True)
                    .exclude(state=Signature.State.ERASED)
                    .annotate(has_partner_opt_ins=Exists(
                        Signature.partner_opt_ins.through.objects.filter(signature=OuterRef("pk"))
                    ))
                    .order_by("pk")[:batch_size]
                )
                for signature in rows:
                    _seal_row(signature, key)
            sealed += len(rows)
            if len(rows) < batch_size:
                break
    dropped = Signature.objects.drop_server_copies()
    if sealed or dropped:
        logger.info("sealing: %d rows sealed, %d readable addresses dropped", sealed, dropped)
    return sealed


def _seal_row(signature: Signature, key: OrganisationKey) -> None:
    fields = sealed_fields(name=signature.name, email=signature.email,
                           postcode=signature.postcode, country=signature.country.code)
    Signature.objects.filter(pk=signature.pk).update(
        sealed=sealing.seal_fields(fields, key.recipient), sealed_to=key,
        # A partner the signer asked to hear from needs the name, as on signing.
        name=signature.name if signature.show_name or signature.has_partner_opt_ins else "",
        postcode="",
    )


def organisation_key_register(*, organisation, recipient: str, label: str = "",
                              actor) -> OrganisationKey:
    """Seal the organisation's signatures to this public key from now on.

    The key it replaces is retired, not deleted: the rows sealed to it stay
    sealed to it until an owner re-seals them (`signatures_reseal`). The
    signatures not sealed yet are sealed to the new key by the next `seal` step.
    """
    recipient = str(sealing.recipient(recipient))
    with transaction.atomic():
        OrganisationKey.objects.filter(
            organisation=organisation, retired_at__isnull=True
        ).update(retired_at=timezone.now())
        key = OrganisationKey.objects.create(
            organisation=organisation, recipient=recipient, label=label, created_by=actor,
        )
        audit_record(actor=actor, action="organisation.key_register", target=organisation,
                     key=key.fingerprint)
    forget_keys()
    return key


RESEAL_FORMAT = "chorus-reseal/1"


def reseal_bundle_lines(*, old_key: OrganisationKey, new_key: OrganisationKey):
    """The rows sealed to `old_key`, as JSON lines for `tools/chorus-open reseal`.

    Nothing here is readable without the old private key: the owner opens it
    on their own computer, seals each row again to `new_key` and uploads the
    result (signatures_reseal). The private key never travels.
    """
    yield json.dumps({"format": RESEAL_FORMAT, "from": old_key.fingerprint,
                      "to": new_key.recipient}) + "\n"
    rows = Signature.objects.filter(sealed_to=old_key).exclude(sealed="").order_by("pk")
    for pk, sealed in rows.values_list("pk", "sealed").iterator(chunk_size=2000):
        yield json.dumps({"id": pk, "sealed": sealed}) + "\n"


@dataclass(frozen=True)
class Resealed:
    resealed: int
    refused: int


def _is_age_to_one_recipient(value: str) -> bool:
    """Whether a value looks like what tools/chorus-open writes: a binary age file for one
    X25519 recipient. (Who that recipient is, age does not say; only the owner knows.)"""
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    header, _, _ = data.partition(b"\n---")
    lines = header.split(b"\n")
    return lines[0] == b"age-encryption.org/v1" and sum(
        line.startswith(b"-> X25519 ") for line in lines) == 1


def signatures_reseal(*, organisation, old_key: OrganisationKey, new_key: OrganisationKey,
                      lines, actor) -> Resealed:
    """Store the rows an owner re-sealed on their own computer; recorded in the audit log.

    Only rows of this organisation still sealed to `old_key` change, and only
    to a value that is an age file for one recipient; anything else is
    counted as refused and left as it was.
    """
    resealed = refused = 0
    with transaction.atomic():
        for raw in lines:
            try:
                row = json.loads(raw)
            except ValueError:
                refused += 1
                continue
            if not isinstance(row, dict) or "id" not in row:
                continue  # the header line, or nothing
            value = row.get("sealed")
            if not isinstance(value, str) or not _is_age_to_one_recipient(value):
                refused += 1
                continue
            updated = Signature.objects.filter(
                pk=row["id"] if isinstance(row["id"], int) else -1, sealed_to=old_key,
                petition__organisation=organisation,
            ).update(sealed=value, sealed_to=new_key)
            resealed += updated
            refused += 1 - updated
        audit_record(actor=actor, action="organisation.key_reseal", target=organisation,
                     old_key=old_key.fingerprint, new_key=new_key.fingerprint,
                     resealed=resealed, refused=refused)
    return Resealed(resealed=resealed, refused=refused)
