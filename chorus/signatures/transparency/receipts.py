"""Signer receipts and their public leaves.

A receipt is 160 bits a signer keeps; its leaf, SHA-256(0x00 ‖ petition id as
8 bytes big-endian ‖ the receipt's 20 bytes), is all the server stores and
publishes. A web-confirmed signer's receipt is derived from the row with a
key of its own (HMAC-SHA256 keyed from CHORUS_DIGEST_KEY), so their private
page can show it again without the receipt being stored; it includes the
keyed digest of the address, so once a signature is erased (its digest
replaced) not even the server can derive it again. Signatures that count
without a web confirmation get a leaf of a random receipt nobody is shown.
"""

import base64
import hashlib
import hmac
import re
import secrets
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver as signal_receiver

RECEIPT_BYTES = 20
_LEAF = b"\x00"
_GROUP = 4


@cache
def _key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"chorus-receipts")
    return hkdf.derive(settings.CHORUS_DIGEST_KEY.encode())


@signal_receiver(setting_changed)
def _forget_key(*, setting, **kwargs):
    if setting in ("CHORUS_DIGEST_KEY", "SECRET_KEY"):
        _key.cache_clear()


def leaf_for(petition_id: int, receipt: bytes) -> bytes:
    return hashlib.sha256(_LEAF + petition_id.to_bytes(8, "big") + receipt).digest()


def derived_receipt(*, petition_id: int, signature_id: int, email_digest: str) -> bytes:
    message = f"{petition_id}:{signature_id}:{email_digest}".encode()
    return hmac.new(_key(), message, hashlib.sha256).digest()[:RECEIPT_BYTES]


def receipt_of(signature) -> bytes | None:
    """The signer's receipt, if their stored leaf is still the one derived from the row.

    None for a signature counted before receipts existed, recorded through the
    API, or erased: its leaf (if any) is of a secret nobody holds.
    """
    if not signature.receipt_leaf:
        return None
    receipt = derived_receipt(petition_id=signature.petition_id, signature_id=signature.pk,
                              email_digest=signature.email_digest)
    if hmac.compare_digest(leaf_for(signature.petition_id, receipt), bytes(signature.receipt_leaf)):
        return receipt
    return None


def signer_leaf(signature) -> bytes:
    """The leaf a web confirmation stores for this signature."""
    return leaf_for(signature.petition_id, derived_receipt(
        petition_id=signature.petition_id, signature_id=signature.pk,
        email_digest=signature.email_digest,
    ))


def anonymous_leaf(petition_id: int) -> bytes:
    """A leaf of a receipt nobody is shown (and that is forgotten at once)."""
    return leaf_for(petition_id, secrets.token_bytes(RECEIPT_BYTES))


def formatted(receipt: bytes) -> str:
    """The receipt as people copy it: base32 in groups of four, e.g. "ABCD-EFGH-…"."""
    text = base64.b32encode(receipt).decode()
    return "-".join(text[i:i + _GROUP] for i in range(0, len(text), _GROUP))


_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


def parsed(text: str) -> bytes | None:
    """A receipt as typed or pasted (any case, any separators); None if it is not one."""
    letters = _NOT_BASE32.sub("", text.upper()[:200])
    if len(letters) != RECEIPT_BYTES * 8 // 5:
        return None
    return base64.b32decode(letters)
