"""The site's Ed25519 keys, which sign every statement of the public log.

CHORUS_SIGNING_KEY holds one or more private keys (base64 of the 32-byte seed,
comma-separated, newest first, as `manage.py generatesigningkey` prints them):
the newest signs; an older one is kept only to sign the statement that hands
each petition's log over to the newest (a key rotation is itself a signed
statement). Without any, a key is derived from SECRET_KEY: fine for
development, warned against by `check --deploy`.
"""

import base64
import hashlib
from dataclasses import dataclass
from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def public_base64(self) -> str:
        return base64.b64encode(self.public_bytes).decode()

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, in hex: what each statement names."""
        return hashlib.sha256(self.public_bytes).hexdigest()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()


def generated() -> str:
    """A new private key, as CHORUS_SIGNING_KEY takes it."""
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(seed).decode()


def _from_seed(seed: bytes) -> SigningKey:
    return SigningKey(Ed25519PrivateKey.from_private_bytes(seed))


@cache
def signing_keys() -> tuple[SigningKey, ...]:
    """Every configured key, newest first. Raises ValueError on a malformed one."""
    configured = settings.CHORUS_SIGNING_KEY
    if not configured:
        hkdf = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"chorus-log-signing")
        return (_from_seed(hkdf.derive(settings.SECRET_KEY.encode())),)
    keys = []
    for text in configured:
        seed = base64.b64decode(text.strip(), validate=True)
        if len(seed) != 32:
            raise ValueError("a CHORUS_SIGNING_KEY entry is not a 32-byte Ed25519 seed")
        keys.append(_from_seed(seed))
    return tuple(keys)


def current_key() -> SigningKey:
    return signing_keys()[0]


def key_by_fingerprint(fingerprint: str) -> SigningKey | None:
    return next((key for key in signing_keys() if key.fingerprint == fingerprint), None)


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in ("CHORUS_SIGNING_KEY", "SECRET_KEY"):
        signing_keys.cache_clear()
