"""The link an owner gives a partner organisation: signed, expiring, and worth one secret."""

from django.core import signing

from chorus.petitions.partners.models import INVITATION_MAX_AGE

_signer = signing.TimestampSigner(salt="chorus.petitions.partners.invitation")


def invitation_token(partner_id: int, secret: str) -> str:
    return _signer.sign(f"{partner_id}.{secret}")


def invitation_from_token(token: str) -> tuple[int, str] | None:
    """(partner id, secret), or None if the token is forged or older than a week."""
    try:
        value = _signer.unsign(token, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    partner_id, _dot, secret = value.partition(".")
    if not partner_id.isdigit() or not secret:
        return None
    return int(partner_id), secret
