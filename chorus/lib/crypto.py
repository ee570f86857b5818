"""Encryption at rest for signers' addresses and postcodes (Fernet, from `cryptography`).

CHORUS_ENCRYPTION_KEYS holds one or more Fernet keys, newest first: the newest
encrypts, all decrypt, so keys can be rotated (`manage.py reencrypt`).
Without it, a development key is derived from SECRET_KEY (and the deploy
check warns).
"""

import base64
import logging
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

# Every Fernet token starts with its version byte, 0x80, which base64 spells "gAAAAA".
TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - not a secret


class Undecryptable(ValueError):
    """Encrypted with a key that is no longer configured, or corrupted."""


def derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"chorus-encryption")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@cache
def _fernet() -> MultiFernet:
    keys = settings.CHORUS_ENCRYPTION_KEYS or [derived_key(settings.SECRET_KEY).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in ("CHORUS_ENCRYPTION_KEYS", "SECRET_KEY"):
        _fernet.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    """The plain text of a token; "" stays "". Raises Undecryptable."""
    if not token:
        return ""
    if not token.startswith(TOKEN_PREFIX):
        return token  # written before encryption was introduced; reencrypt fixes it
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise Undecryptable("no configured key decrypts this value") from None


def reencrypt(token: str) -> str:
    """The same value encrypted with the newest key. Raises Undecryptable."""
    if not token:
        return ""
    if not token.startswith(TOKEN_PREFIX):
        return encrypt(token)
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise Undecryptable("no configured key decrypts this value") from None
