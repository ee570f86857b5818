"""Sealing to an organisation's own public key, in the `age` format (pyrage).

Sealed data can be opened only with the private key, which the organisation
makes and keeps offline (`age-keygen`); the server holds recipients only.
We use age, not a format of our own: organisers open an export with the
standard `age` CLI, and `tools/chorus-open` is a thin wrapper around the same
format, so nothing in the file depends on our code to be read.
"""

import base64
import json

import pyrage
from pyrage import x25519

RECIPIENT_PREFIX = "age1"


class InvalidRecipient(ValueError):
    """Not an age X25519 public key."""


def recipient(text: str) -> x25519.Recipient:
    text = text.strip()
    if not text.startswith(RECIPIENT_PREFIX):
        raise InvalidRecipient(text[:8])
    try:
        return x25519.Recipient.from_str(text)
    except pyrage.RecipientError:
        raise InvalidRecipient(text[:8]) from None


def seal_bytes(data: bytes, recipients: list[str]) -> bytes:
    """A binary age file of `data`, openable by any of `recipients`' private keys."""
    return pyrage.encrypt(data, [recipient(text) for text in recipients])


def seal_fields(fields: dict, to: str) -> str:
    """A signer's personal fields as one sealed value for a text column (base64 of age).

    `base64 -d | age -d -i key.txt` opens it as well as `tools/chorus-open`.
    """
    data = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.b64encode(seal_bytes(data, [to])).decode()
