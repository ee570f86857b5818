"""The links organisers receive by e-mail: account verification and invitations."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

INVITATION_MAX_AGE = 7 * 24 * 3600


class VerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password reset token, with its own salt, and spent once the account is active.

    Activation is part of the hash, so a link cannot switch an account back on
    after staff deactivated it.
    """

    key_salt = "chorus.organisers.tokens.VerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{timestamp}{user.is_active}{user.email}"


verification_tokens = VerificationTokenGenerator()


def verification_token(user) -> str:
    # The user id travels with the token; "." is in neither part's alphabet.
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{uid}.{verification_tokens.make_token(user)}"


def user_from_verification_token(token: str):
    """The inactive user this token verifies, or None if it is wrong, spent or too old."""
    uid, _dot, user_token = token.partition(".")
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = get_user_model()._default_manager.filter(pk=pk, is_active=False).first()
    if user is None or not verification_tokens.check_token(user, user_token):
        return None
    return user


_invitation_signer = signing.TimestampSigner(salt="chorus.organisers.invitation")


def invitation_token(invitation_id: int) -> str:
    return _invitation_signer.sign(str(invitation_id))


def invitation_id_from_token(token: str) -> int | None:
    """The invitation id, or None if the token is forged or older than a week."""
    try:
        return int(_invitation_signer.unsign(token, max_age=INVITATION_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return None
