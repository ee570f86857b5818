"""Confirmation links: a signed, timestamped signature id (django.core.signing)."""

from django.conf import settings
from django.core import signing

_signer = signing.TimestampSigner(salt="chorus.signatures.confirm")


def confirmation_token(signature_id: int) -> str:
    return _signer.sign(str(signature_id))


def signature_id_from_token(token: str, *, check_age: bool = True) -> int:
    """The signature id in a token; raises signing.SignatureExpired/BadSignature.

    With check_age=False an expired but authentic token still names its
    signature, so the signer can ask for a fresh link.
    """
    max_age = settings.CHORUS_CONFIRMATION_MAX_AGE if check_age else None
    return int(_signer.unsign(token, max_age=max_age))


# The private "manage my signature" link: no expiry (the signer may come back
# months later), and a salt of its own, so a confirmation token is not a
# manage token and neither can name another signature.
_manage_signer = signing.Signer(salt="chorus.signatures.manage")


def manage_token(signature_id: int) -> str:
    return _manage_signer.sign(str(signature_id))


def signature_id_from_manage_token(token: str) -> int:
    """Raises signing.BadSignature or ValueError."""
    return int(_manage_signer.unsign(token))
